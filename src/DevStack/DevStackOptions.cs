using System.ComponentModel.DataAnnotations;

namespace CinematicSwitch.DevStack;

/// <summary>Shape of the embedded stack. Bound from the "DevStack" section (or DevStack__* variables).</summary>
public sealed class DevStackOptions
{
    public const string SectionName = "DevStack";

    [Range(1, 9)]
    public int Brokers { get; set; } = 3;

    /// <summary>Where s3rver keeps objects and where endpoints.json is written, relative to the repository root.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDirectory { get; set; } = ".devstack";

    [Range(0, 65535)]
    public int S3Port { get; set; } = 4568;

    [Range(0, 65535)]
    public int IngestPort { get; set; } = 8080;

    [Range(1, 65535)]
    public int ProcessorPort { get; set; } = 8091;

    [Range(1, 65535)]
    public int ArchiverPort { get; set; } = 8092;

    /// <summary>How long a simulated provider job takes (the real ones take 60-180 s).</summary>
    [Range(0, 600_000)]
    public int ProviderLatencyMs { get; set; } = 3000;

    /// <summary>Runway polling in the dev stack; the spec's 10 s is the production default.</summary>
    [Range(100, 60_000)]
    public int RunwayPollIntervalMs { get; set; } = 1000;

    /// <summary>
    /// The simulators call Ingest's webhooks when Replicate and Leonardo jobs end, and the processor polls those as a safety net
    /// only; false: polling alone, as without webhooks.
    /// </summary>
    public bool Webhooks { get; set; } = true;

    /// <summary>
    /// The processor's video providers in order (Providers:Routing:VideoProviders), e.g. [Leonardo] to run the skills on
    /// Leonardo alone; empty keeps the processor's default (Runway, then Leonardo).
    /// </summary>
    public List<string> VideoProviders { get; set; } = [];

    /// <summary>Start the three services as child processes; false brings up only the infrastructure.</summary>
    public bool RunServices { get; set; } = true;

    /// <summary>Build configuration whose outputs the services are started from.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Configuration { get; set; } = "Debug";
}
