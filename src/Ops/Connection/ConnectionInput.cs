namespace CinematicSwitch.Ops.Connection;

/// <summary>
/// What the command line says about where to attach: configuration values by their keys (the services' own keys,
/// e.g. "Kafka:BootstrapServers"), an endpoints file, and whether the cluster is the embedded broker.
/// </summary>
internal sealed record ConnectionInput(
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> KafkaProperties,
    string? EndpointsFile,
    bool Embedded,
    bool Verbose);
