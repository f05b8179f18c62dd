using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using CinematicSwitch.Fetching;
using CinematicSwitch.ServiceDefaults.Options;

namespace CinematicSwitch.Ingest;

/// <summary>The Ingest service. Bound from the "Ingest" section (Ingest__Tenants__0__TenantId, ...).</summary>
public sealed partial class IngestOptions : IValidatableOptions
{
    public const string SectionName = "Ingest";

    /// <summary>Who may call the API: each API key (as its SHA-256) maps to one tenant.</summary>
    public List<TenantOptions> Tenants { get; set; } = [];

    /// <summary>
    /// How long a publish may wait for the broker's acknowledgement (librdkafka's message.timeout.ms) before the
    /// caller gets a 503. Bounded, so that a request never hangs on an unreachable cluster.
    /// </summary>
    [Range(1000, 300_000)]
    public int PublishTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// Size of one S3 multipart part, and of each of the two buffers an upload holds while streaming: memory per
    /// upload in flight is twice this. Media up to this size is stored with a single PutObject.
    /// </summary>
    [Range(5 * 1024 * 1024, 64 * 1024 * 1024)]
    public int UploadPartBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>
    /// Uploads streaming to S3 at once; more wait for a slot (their senders are slowed by TCP back-pressure).
    /// With <see cref="UploadPartBytes"/> this bounds upload memory: 2 x part size x this.
    /// </summary>
    [Range(1, 1024)]
    public int MaxConcurrentUploads { get; set; } = 16;

    /// <summary>Largest JSON body (/dev/run, JSON /generate/cinematic): a 16 MB image in base64 plus the other fields.</summary>
    [Range(64 * 1024, 256 * 1024 * 1024)]
    public int MaxJsonBodyBytes { get; set; } = 24 * 1024 * 1024;

    /// <summary>The requester events carry for HTTP requests, unless a trusted tenant sends X-Requester.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Requester { get; set; } = "http:ingest";

    public DevRunOptions DevRun { get; set; } = new();

    public StatusOptions Status { get; set; } = new();

    public MediaFetchOptions MediaFetch { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

    public RetentionOptions Retention { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (Tenants.Count == 0)
        {
            yield return "Tenants: at least one tenant is required (Ingest:Tenants:0:TenantId and Ingest:Tenants:0:ApiKeySha256).";
        }

        for (var i = 0; i < Tenants.Count; i++)
        {
            var tenant = Tenants[i];
            if (!TenantIdPattern().IsMatch(tenant.TenantId ?? ""))
            {
                yield return $"Tenants:{i}:TenantId must be 1-64 letters, digits, '.', '_' or '-' (it is the Kafka key and an S3 key prefix).";
            }

            // The hash is not secret, but a typo here locks a tenant out: say exactly what is wrong.
            if (!Sha256HexPattern().IsMatch(tenant.ApiKeySha256 ?? ""))
            {
                yield return $"Tenants:{i}:ApiKeySha256 must be the SHA-256 of the API key as 64 hexadecimal characters.";
            }
        }

        if (Limits.MaxConcurrentUploadsPerTenant >= MaxConcurrentUploads)
        {
            yield return $"Limits:MaxConcurrentUploadsPerTenant ({Limits.MaxConcurrentUploadsPerTenant}) must be below MaxConcurrentUploads ({MaxConcurrentUploads}): one tenant must never hold every upload slot.";
        }

        var duplicates = Tenants.GroupBy(t => t.ApiKeySha256?.ToLowerInvariant()).Where(g => g.Key is not null && g.Count() > 1);
        foreach (var duplicate in duplicates)
        {
            yield return $"Tenants: the same ApiKeySha256 is configured for {string.Join(", ", duplicate.Select(t => t.TenantId))}.";
        }
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex TenantIdPattern();

    [GeneratedRegex("^[0-9A-Fa-f]{64}$")]
    private static partial Regex Sha256HexPattern();
}

public sealed class TenantOptions
{
    public string TenantId { get; set; } = "";

    /// <summary>Lower- or upper-case hex SHA-256 of the UTF-8 API key (e.g. <c>printf %s "$KEY" | sha256sum</c>).</summary>
    public string ApiKeySha256 { get; set; } = "";

    /// <summary>An upstream system whose X-Requester header (e.g. "skill:generate_intro_video_loop") is put on its events.</summary>
    public bool TrustRequesterHeader { get; set; }
}

public sealed class DevRunOptions
{
    /// <summary>How long POST /dev/run waits for the outcome before answering 202 with the request id.</summary>
    [Range(0, 600)]
    public int WaitSeconds { get; set; } = 60;
}

public sealed class StatusOptions
{
    /// <summary>Requests the status projection keeps (oldest first out): what bounds its memory.</summary>
    [Range(100, 10_000_000)]
    public int MaxRequests { get; set; } = 100_000;

    /// <summary>Ledger entries kept per tenant for GET /credits (totals are always complete).</summary>
    [Range(1, 1000)]
    public int RecentCreditEntries { get; set; } = 20;

    /// <summary>Validity of the links to archived media that the status answers carry.</summary>
    [Range(1, 7 * 24 * 60)]
    public int PresignMinutes { get; set; } = 60;

    /// <summary>
    /// How often GET /requests/{id}/events sends a comment while nothing changes: proxies and load balancers close
    /// connections that stay silent (nginx after 60 s, AWS ALB after 60 s by default).
    /// </summary>
    [Range(1, 300)]
    public int EventsHeartbeatSeconds { get; set; } = 15;
}

/// <summary>
/// How long uploaded inputs outlive their request (README, "Retention"): an input is deleted once its request's outcome
/// is final (archived, or failed) and <see cref="KeepInputsFor"/> has passed since, so that a failed request can still be
/// replayed within that time. The inputs bucket's lifecycle rule (docker-compose.yml) is the backstop for what this misses.
/// </summary>
public sealed class RetentionOptions
{
    /// <summary>Off: inputs are left to the bucket's lifecycle rule alone.</summary>
    public bool DeleteInputs { get; set; } = true;

    /// <summary>Time an input is kept after its request's final outcome: the window for replays of a failed request.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "30.00:00:00")]
    public TimeSpan KeepInputsFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the inputs bucket is swept: an input goes at most this long after its time.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>Media given as a URL: fetched through the SSRF guard, whose settings (LoopbackOrigins, MaxRedirects, ConnectTimeout) are inherited.</summary>
public sealed class MediaFetchOptions : FetchGuardOptions
{
    /// <summary>Accept media given as an http(s) URL in the JSON contracts (fetched, checked and stored like an upload).</summary>
    public bool Enabled { get; set; } = true;

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 60;
}

/// <summary>
/// What a slow or hostile client may cost. Set deliberately, not left to Kestrel's defaults: a slowloris client holding
/// a connection with a trickle of bytes must be dropped, and one tenant's uploads must leave room for the others.
/// </summary>
public sealed class LimitsOptions
{
    /// <summary>Time to receive a request's headers (Kestrel's RequestHeadersTimeout; its default is 30 s).</summary>
    [Range(1, 300)]
    public int RequestHeadersTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// The slowest request body accepted, averaged, once <see cref="MinRequestBodyGraceSeconds"/> passed (Kestrel's
    /// MinRequestBodyDataRate; its default is 240 B/s): 4 KB/s still serves a phone on a poor mobile link.
    /// </summary>
    [Range(1, 10 * 1024 * 1024)]
    public int MinRequestBodyBytesPerSecond { get; set; } = 4096;

    [Range(1, 300)]
    public int MinRequestBodyGraceSeconds { get; set; } = 10;

    /// <summary>
    /// Requests of one tenant being read, stored and published at once; more are answered 429 with Retry-After. Below
    /// <see cref="IngestOptions.MaxConcurrentUploads"/>, so that one tenant never holds every upload slot.
    /// </summary>
    [Range(1, 1023)]
    public int MaxConcurrentUploadsPerTenant { get; set; } = 8;

    /// <summary>The Retry-After of a 429 for too many concurrent uploads.</summary>
    [Range(1, 3600)]
    public int UploadRetryAfterSeconds { get; set; } = 2;

    /// <summary>
    /// After a refusal that leaves a large body unread, how long the connection still reads (and drops) what the client
    /// sends before closing, so that a client still sending can read the answer instead of a connection reset.
    /// </summary>
    [Range(0, 30_000)]
    public int RefusalLingerMs { get; set; } = 2000;

    /// <summary>The most that lingering reads (and drops) of a refused body: the rest of a 2 GB upload is never read.</summary>
    [Range(0, 256 * 1024 * 1024)]
    public int RefusalLingerBytes { get; set; } = 4 * 1024 * 1024;
}
