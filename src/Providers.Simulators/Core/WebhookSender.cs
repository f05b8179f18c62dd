using System.Collections.Concurrent;

namespace CinematicSwitch.Providers.Simulators.Core;

/// <summary>One webhook a simulator sent (or dropped, as a lost delivery): to which job, where, and the answer's status (0: no answer).</summary>
public sealed record SimWebhookDelivery(string JobId, string Url, int Status, bool Dropped, DateTimeOffset At);

/// <summary>
/// Delivers a simulator's webhooks: once a job has ended (by its clock, or cancelled), one POST to the job's target, tried up to
/// three times while it answers 5xx or not at all, as providers retry. A job created with <see cref="FaultKind.WebhookLost"/> gets
/// none (recorded as dropped), so that the safety-net poll can be shown to finish it. Targets follow the real APIs' rule (https on
/// a domain name) unless <see cref="AcceptLoopback"/> lets loopback through for a stack on 127.0.0.1.
/// </summary>
public sealed class WebhookSender(TimeProvider time) : IDisposable
{
    private const int Attempts = 3;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestWait = TimeSpan.FromSeconds(1);

    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly ConcurrentQueue<SimWebhookDelivery> deliveries = new();
    private CancellationTokenSource lifetime = new();

    public bool AcceptLoopback { get; set; }

    public IReadOnlyList<SimWebhookDelivery> Deliveries => [.. deliveries];

    /// <summary>Why a webhook URL is refused; null when it is accepted.</summary>
    public string? Refusal(string? url) => Uri.TryCreate(url, UriKind.Absolute, out var uri)
        ? Assets.UrlRefusal(uri, AcceptLoopback)
        : "Enter a valid URL.";

    /// <summary>Sends the request <paramref name="build"/> makes (given the job as it ended) once the job has ended.</summary>
    public void DeliverWhenEnded(SimJob job, Uri target, Func<SimJob, HttpRequestMessage> build)
    {
        var stop = lifetime.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                // The job's end is a function of the simulator's clock (which a test may move on), so it is checked, not timed.
                for (var now = time.GetUtcNow(); !job.IsTerminal(now); now = time.GetUtcNow())
                {
                    var until = job.CompletesAt ?? job.Deadline ?? now + LongestWait;
                    var wait = until - now;
                    await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait > LongestWait ? LongestWait : wait, stop);
                }

                if (job.Fault == FaultKind.WebhookLost)
                {
                    deliveries.Enqueue(new SimWebhookDelivery(job.Id, target.ToString(), 0, true, time.GetUtcNow()));
                    return;
                }

                for (var attempt = 1; attempt <= Attempts; attempt++)
                {
                    var status = 0;
                    try
                    {
                        using var request = build(job);
                        request.RequestUri = target;
                        using var response = await http.SendAsync(request, stop);
                        status = (int)response.StatusCode;
                    }
                    catch (HttpRequestException)
                    {
                        // No answer: tried again, as a provider does.
                    }

                    deliveries.Enqueue(new SimWebhookDelivery(job.Id, target.ToString(), status, false, time.GetUtcNow()));
                    if (status is > 0 and < 500)
                    {
                        return;
                    }

                    await Task.Delay(RetryDelay, stop);
                }
            }
            catch (OperationCanceledException)
            {
                // The simulator was reset or stopped.
            }
        }, stop);
    }

    /// <summary>Forgets deliveries and abandons those still waiting for their jobs.</summary>
    public void Reset()
    {
        var previous = Interlocked.Exchange(ref lifetime, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
        deliveries.Clear();
    }

    public void Dispose()
    {
        lifetime.Cancel();
        lifetime.Dispose();
        http.Dispose();
    }
}
