using System.Buffers;
using System.Text.RegularExpressions;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Api;
using CinematicSwitch.Ingest.Intake;
using CinematicSwitch.Ingest.Status;
using CinematicSwitch.Ingest.Tenancy;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Serilog;

namespace CinematicSwitch.Ingest.Endpoints;

/// <summary>
/// What every POST shares: the body limit, the request id (from Idempotency-Key or new), correlation id and
/// requester from the headers, the intake itself, and what the spec's Observability section asks the request's log
/// line to say (sizes, lengths and timings, never content), added to the line Serilog's request logging writes.
/// </summary>
internal sealed partial class IntakeEndpoint(IntakeService intake, TenantUploadGate gate, IngestMetrics metrics, IOptions<IngestOptions> options,
    TimeProvider time, IDiagnosticContext diagnostics)
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    public const string CorrelationIdHeader = "X-Correlation-Id";
    public const string RequesterHeader = "X-Requester";
    public const string ReplayedHeader = "Idempotent-Replayed";

    private readonly IngestOptions _options = options.Value;

    public async Task<IResult> HandleAsync(
        HttpContext http,
        IntakeContract contract,
        long maxBodyBytes,
        Func<IntakeSession, CancellationToken, Task> readBody,
        Func<IntakeResult, CancellationToken, Task<IResult>> answer)
    {
        var log = new IntakeLogEntry(time.GetTimestamp());
        var caller = http.Caller();
        var status = StatusCodes.Status500InternalServerError;
        string? code = null;
        object? errorPosition = null;
        try
        {
            LimitBody(http, maxBodyBytes, contract);
            BodyProgress.Track(http);
            var context = CreateContext(http, contract, caller);
            log.RequestId = context.RequestId;
            http.Response.Headers[CorrelationIdHeader] = context.CorrelationId;
            IntakeResult result;
            // Held while the body is read, stored and published; not while /dev/run waits for the outcome.
            using (gate.Enter(caller.TenantId))
            {
                result = await intake.AcceptAsync(context, log, readBody, http.RequestAborted);
            }

            if (result.Replayed)
            {
                await DiscardBodyAsync(http);
                http.Response.Headers[ReplayedHeader] = "true";
            }

            var response = await answer(result, http.RequestAborted);
            status = (response as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
            if (status == StatusCodes.Status202Accepted)
            {
                http.Response.Headers.Location = StatusViews.StatusUrl(result.RequestId);
            }

            return response;
        }
        catch (ApiException e)
        {
            (status, code) = (e.Error.StatusCode, e.Error.Code);
            // Where a parser gave up, never what it read there.
            errorPosition = e.Error.Details.GetValueOrDefault("position");
            if (code == ApiErrors.IdempotencyConflict)
            {
                await DiscardBodyAsync(http);
            }

            throw;
        }
        catch (BadHttpRequestException e)
        {
            (status, code) = (e.StatusCode, ApiErrors.InvalidInput);
            throw;
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // nginx's "client closed request": nobody was there to receive an answer.
            status = 499;
            throw;
        }
        finally
        {
            var total = time.GetElapsedTime(log.Started);
            metrics.Request(contract.Endpoint, status, log.MediaType, log.MediaBytes, total);
            diagnostics.Set("TenantId", caller.TenantId);
            diagnostics.Set("RequestId", log.RequestId);
            diagnostics.Set("ErrorCode", code);
            diagnostics.Set("ErrorPosition", errorPosition);
            diagnostics.Set("MediaType", log.MediaType);
            diagnostics.Set("MediaBytes", log.MediaBytes);
            diagnostics.Set("DescriptionLength", log.DescriptionLength);
            diagnostics.Set("Task", log.Task?.ToString());
            diagnostics.Set("OutputCount", log.OutputCount);
            diagnostics.Set("UploadMs", Ms(log.UploadTime));
            diagnostics.Set("PublishMs", Ms(log.PublishTime));
            diagnostics.Set("IntakeMs", (long)total.TotalMilliseconds);
            diagnostics.Set("Replayed", log.Replayed);
        }
    }

    /// <summary>
    /// Raises Kestrel's body limit to what this endpoint can need (its default is 30 MB), and refuses a declared
    /// length beyond it before reading a byte.
    /// </summary>
    private static void LimitBody(HttpContext http, long maxBodyBytes, IntakeContract contract)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBodyBytes;
        }

        if (http.Request.ContentLength > maxBodyBytes)
        {
            throw Problems.TooLarge(maxBodyBytes, "request body", contract.MediaField);
        }
    }

    /// <summary>
    /// Reads and drops the body of a retry that is answered without it (a replay, a retry still in flight): the
    /// retry is no mistake, and over HTTP/1.1 a client still sending reads the answer only once it has sent
    /// everything. Bounded by the body limit; nothing is kept.
    /// </summary>
    private static async Task DiscardBodyAsync(HttpContext http)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (await http.Request.Body.ReadAsync(buffer, http.RequestAborted) > 0)
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private IntakeContext CreateContext(HttpContext http, IntakeContract contract, Caller caller)
    {
        var headers = http.Request.Headers;
        var idempotencyKey = headers[IdempotencyKeyHeader].ToString();
        if (idempotencyKey.Length > 0 && !RequestIds.IsValidIdempotencyKey(idempotencyKey))
        {
            throw Problems.InvalidValue(IdempotencyKeyHeader, $"The Idempotency-Key header must be 1 to {RequestIds.MaxIdempotencyKeyLength} visible ASCII characters.");
        }

        var correlationId = headers[CorrelationIdHeader].ToString() is { } given && TracingId().IsMatch(given) ? given : Guid.NewGuid().ToString("N");
        var requester = caller.TrustRequesterHeader && headers[RequesterHeader].ToString() is { } asked && RequesterPattern().IsMatch(asked)
            ? asked
            : _options.Requester;
        return new IntakeContext(
            contract,
            caller.TenantId,
            idempotencyKey.Length > 0 ? RequestIds.FromIdempotencyKey(caller.TenantId, idempotencyKey) : RequestIds.New(),
            idempotencyKey.Length > 0,
            correlationId,
            requester);
    }

    private static long? Ms(TimeSpan? time) => time is { } t ? (long)t.TotalMilliseconds : null;

    [GeneratedRegex("^[A-Za-z0-9._:/-]{1,128}$")]
    private static partial Regex TracingId();

    // "skill:generate_intro_video_loop", "http:ingest", "service:campaigns/v2".
    [GeneratedRegex("^[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9_.:/-]{1,128}$")]
    private static partial Regex RequesterPattern();
}
