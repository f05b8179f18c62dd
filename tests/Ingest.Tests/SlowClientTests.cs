using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CinematicSwitch.Contracts;
using CinematicSwitch.Ingest.Tests.Support;

namespace CinematicSwitch.Ingest.Tests;

/// <summary>
/// Few upload slots, so that slow uploads could take them all, and a minimum body data rate that a trickle of 2 KB/s
/// passes and a stalled upload does not.
/// </summary>
public sealed class SlowClientFixture : IngestFixture
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Ingest:MaxConcurrentUploads"] = "8",
        ["Ingest:Limits:MaxConcurrentUploadsPerTenant"] = "4",
        ["Ingest:Limits:MinRequestBodyBytesPerSecond"] = "400",
        ["Ingest:Limits:MinRequestBodyGraceSeconds"] = "2",
    };
}

/// <summary>Issue 17 item 2: slow clients of one tenant cannot starve the others, and a stalled upload is dropped.</summary>
[Trait("Category", "Stack")]
public sealed class SlowClientTests(SlowClientFixture fixture) : IClassFixture<SlowClientFixture>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Twenty_slow_uploads_of_one_tenant_leave_another_tenants_uploads_answered_and_get_429_past_the_tenant_limit()
    {
        var slow = Enumerable.Range(0, 20).Select(_ => new SlowUpload(fixture.Host.BaseAddress, TestTenants.Acme.ApiKey)).ToList();
        try
        {
            await Task.WhenAll(slow.Select(s => s.StartAsync()));

            // Past the tenant's limit the answer comes at once: 429, Retry-After, the spec's error JSON.
            using var bound = new CancellationTokenSource(Bound);
            var refused = await WaitForAnswersAsync(slow, 16, bound.Token);
            Assert.All(refused, s =>
            {
                Assert.Equal(429, s.Answer!.Status);
                Assert.Equal("2", s.Answer.Headers["Retry-After"]);
                var error = JsonDocument.Parse(s.Answer.Body).RootElement.GetProperty("error");
                Assert.Equal(ApiErrors.TooManyRequests, error.GetProperty("code").GetString());
                Assert.Equal(UserMessages.TooManyUploads, error.GetProperty("message").GetString());
                Assert.Equal(4, error.GetProperty("details").GetProperty("max_concurrent_uploads").GetInt32());
            });

            // While the tenant's four admitted uploads trickle on, another tenant's uploads are answered.
            using var client = fixture.Host.Client(TestTenants.Globex);
            var normal = Enumerable.Range(0, 4).Select(async _ =>
            {
                using var response = await client.PostAsync("/generate/cinematic", Forms.ValidImage(), bound.Token);
                return response.StatusCode;
            }).ToList();
            var all = Task.WhenAll(normal);
            Assert.True(await Task.WhenAny(all, Task.Delay(Bound, CancellationToken.None)) == all,
                "Another tenant's uploads were not answered while one tenant's slow uploads went on.");
            Assert.All(await all, status => Assert.Equal(HttpStatusCode.Accepted, status));
            Assert.Equal(4, slow.Count(s => s.Answer is null));
        }
        finally
        {
            foreach (var upload in slow)
            {
                upload.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_stalled_upload_is_dropped_by_the_minimum_data_rate()
    {
        using var stalled = new SlowUpload(fixture.Host.BaseAddress, TestTenants.Campaigns.ApiKey, trickle: false);
        await stalled.StartAsync();
        using var bound = new CancellationTokenSource(Bound);

        var answer = await stalled.Answered.WaitAsync(bound.Token);

        // Kestrel ends the read after the grace period; the service answers 408 with the error JSON, or the connection
        // closes before the client reads it.
        Assert.True(answer.Status is 408 or 0, $"HTTP {answer.Status}: {answer.Text}");
        if (answer.Status == 408)
        {
            Assert.Equal(UserMessages.MediaUpload, JsonDocument.Parse(answer.Body).RootElement.GetProperty("error").GetProperty("message").GetString());
        }
    }

    [Fact]
    public async Task A_client_still_sending_an_oversize_body_reads_the_413_before_the_connection_closes()
    {
        var limit = MediaFormats.MaxVideoBytes + Intake.MultipartForm.FieldsAllowance;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, fixture.Host.BaseAddress.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes($"POST /generate/cinematic HTTP/1.1\r\nHost: {fixture.Host.BaseAddress.Authority}\r\n" +
            $"Authorization: Bearer {TestTenants.Acme.ApiKey}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {limit + 1}\r\n\r\n"), SocketFlags.None);

        // The client goes on sending its body, and reads what comes back meanwhile (as curl and browsers do).
        using var stop = new CancellationTokenSource();
        var sending = Task.Run(async () =>
        {
            var chunk = new byte[64 * 1024];
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    await socket.SendAsync(chunk, SocketFlags.None, stop.Token);
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                // The server closed the connection, or the test is done.
            }
        });
        using var bound = new CancellationTokenSource(Bound);
        var answer = await RawHttp.ReadAnswerAsync(socket, bound.Token);
        await stop.CancelAsync();
        await sending;

        Assert.True(answer.Status == 413 && answer.Complete, $"HTTP {answer.Status}, complete: {answer.Complete}");
        var error = JsonDocument.Parse(answer.Body).RootElement.GetProperty("error");
        Assert.Equal(UserMessages.MediaUpload, error.GetProperty("message").GetString());
        Assert.Equal(limit, error.GetProperty("details").GetProperty("max_bytes").GetInt64());
    }

    private static async Task<List<SlowUpload>> WaitForAnswersAsync(List<SlowUpload> uploads, int count, CancellationToken cancellationToken)
    {
        while (uploads.Count(u => u.Answer is not null) < count)
        {
            await Task.WhenAny(uploads.Where(u => u.Answer is null).Select(u => u.Answered)).WaitAsync(cancellationToken);
        }

        return uploads.Where(u => u.Answer is not null).ToList();
    }

    /// <summary>
    /// A valid 2 MB image upload over a raw socket whose body arrives at about 2 KB/s (or not at all past its first bytes),
    /// reading the answer while it sends.
    /// </summary>
    private sealed class SlowUpload(Uri server, string apiKey, bool trickle = true) : IDisposable
    {
        private const string Boundary = "slow-boundary";
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource<RawAnswer> _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<RawAnswer> Answered => _answered.Task;

        public RawAnswer? Answer => _answered.Task.IsCompletedSuccessfully ? _answered.Task.Result : null;

        public async Task StartAsync()
        {
            var body = Encoding.ASCII.GetBytes(
                    $"--{Boundary}\r\nContent-Disposition: form-data; name=\"scene_description\"\r\n\r\n{Forms.ValidDescription}\r\n" +
                    $"--{Boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"slow.png\"\r\nContent-Type: image/png\r\n\r\n")
                .Concat(TestMedia.Png(2 * 1024 * 1024).ToArray()).Concat(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n")).ToArray();
            var head = Encoding.ASCII.GetBytes($"POST /generate/cinematic HTTP/1.1\r\nHost: {server.Authority}\r\nAuthorization: Bearer {apiKey}\r\n" +
                                               $"Content-Type: multipart/form-data; boundary={Boundary}\r\nContent-Length: {body.Length}\r\n\r\n");
            await _socket.ConnectAsync(IPAddress.Loopback, server.Port);
            await _socket.SendAsync(head.Concat(body.Take(1024)).ToArray(), SocketFlags.None);
            _ = ReadAsync();
            if (trickle)
            {
                _ = TrickleAsync(body.AsMemory(1024));
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
            _stop.Dispose();
        }

        private async Task ReadAsync()
        {
            try
            {
                _answered.TrySetResult(await RawHttp.ReadAnswerAsync(_socket, _stop.Token));
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                _answered.TrySetCanceled();
            }
        }

        private async Task TrickleAsync(ReadOnlyMemory<byte> rest)
        {
            try
            {
                for (var offset = 0; offset < rest.Length && Answer is null; offset += 200)
                {
                    await Task.Delay(100, _stop.Token);
                    await _socket.SendAsync(rest.Slice(offset, Math.Min(200, rest.Length - offset)), SocketFlags.None, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                // Stopped, or the server closed the connection.
            }
        }
    }
}
