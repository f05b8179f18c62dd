using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers;
using ContractErrorCode = CinematicSwitch.Contracts.Events.ErrorCode;

namespace CinematicSwitch.Processor.Handling;

/// <summary>
/// The provider library's outcomes as events. The other way, a request event to a generation, is
/// <see cref="GenerationRequest.From"/>: one mapping, shared with Ingest's capability check.
/// </summary>
internal static class RequestMapping
{
    public static TransformationCompleted Completed(TransformationRequested request, GenerationResult result, DateTimeOffset now)
    {
        // Variations in order, the clips of a chained video in order within their variation: a video's clips share its
        // index (the variation, from 0), and the archiver joins them into one video.
        var outputs = result.Outputs
            .OrderBy(o => o.Index).ThenBy(o => o.Segment)
            .Select(o => new OutputMedia(o.Index - 1, o.Url, o.ContentType, o.IsVideo ? MediaKind.Video : MediaKind.Image))
            .ToList();
        return new TransformationCompleted(
            request.RequestId, request.TenantId, request.CorrelationId, request.Requester, now,
            result.Provider, result.Model, outputs, request.OutputCount, result.Warnings,
            ProcessingTimeMs: (long)Math.Max(0, (now - request.OccurredAt).TotalMilliseconds),
            ProviderTimeMs: (long)result.ProviderTime.TotalMilliseconds,
            result.Credits, result.CreditUnit,
            result.CreditSource,
            result.ProviderJobIds,
            result.FallbackFrom,
            result.FallbackReason,
            request)
        {
            Seeds = result.Seeds,
        };
    }

    public static TransformationFailed Failed(TransformationRequested request, ErrorInfo error, DateTimeOffset now) =>
        new(request.RequestId, request.TenantId, request.CorrelationId, request.Requester, now, FailureStage.Processing, error, request);

    /// <summary>A provider failure as events carry it: the user-facing message, the provider's own words in details.</summary>
    public static ErrorInfo ErrorOf(ProviderFailure failure)
    {
        var code = failure.Code switch
        {
            ProviderErrorCode.InvalidInput => ContractErrorCode.InvalidInput,
            ProviderErrorCode.InputValidation => ContractErrorCode.InputValidationError,
            ProviderErrorCode.QuotaExceeded => ContractErrorCode.QuotaExceededError,
            ProviderErrorCode.Timeout => ContractErrorCode.TimeoutError,
            _ => ContractErrorCode.ProviderError,
        };
        var details = new Dictionary<string, string>(failure.Details, StringComparer.Ordinal) { ["reason"] = failure.Message };
        var message = code switch
        {
            // Media a provider could not use: the spec's own message about media.
            ContractErrorCode.InvalidInput when failure.Details.GetValueOrDefault("owner") == "user" => UserMessages.MediaUpload,
            // The runner's refusals say which limit the request broke; they carry no user content.
            ContractErrorCode.InvalidInput => failure.Message,
            ContractErrorCode.TimeoutError => UserMessages.Timeout,
            _ => UserMessages.TransformationFailed,
        };
        return new ErrorInfo(code, message, failure.Provider, failure.HttpStatus, details);
    }

    public static ErrorInfo InvalidInput(string message, string field) =>
        new(ContractErrorCode.InvalidInput, message, null, null, new Dictionary<string, string> { ["field"] = field });
}
