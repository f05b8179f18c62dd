using CinematicSwitch.DevStack.Components;
using CinematicSwitch.ServiceDefaults.Endpoints;
using CinematicSwitch.SchemaRegistry.Server;
using CinematicSwitch.ServiceDefaults.Storage;
using CinematicSwitch.ServiceDefaults.Topology;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Embedded;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.DevStack;

/// <summary>The infrastructure of the embedded stack: Kafka with the project's topology, the schema registry, and S3.</summary>
public sealed class EmbeddedStack : IAsyncDisposable
{
    private EmbeddedStack(EmbeddedKafka kafka, SchemaRegistryServer schemaRegistry, S3rverProcess s3, S3Options s3Options, TopologyOptions topology)
    {
        Kafka = kafka;
        SchemaRegistry = schemaRegistry;
        S3 = s3;
        S3Options = s3Options;
        Topology = topology;
    }

    public EmbeddedKafka Kafka { get; }

    /// <summary>The development schema registry, keeping its schemas in <see cref="Kafka"/>.</summary>
    public SchemaRegistryServer SchemaRegistry { get; }

    public S3rverProcess S3 { get; }

    /// <summary>How clients reach <see cref="S3"/>.</summary>
    public S3Options S3Options { get; }

    public TopologyOptions Topology { get; }

    /// <param name="loggers">Where the stack and its schema registry log.</param>
    public static async Task<EmbeddedStack> StartAsync(DevStackOptions options, TopologyOptions topology, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger<EmbeddedStack>();
        var kafka = EmbeddedKafka.Start(options.Brokers);
        SchemaRegistryServer? schemaRegistry = null;
        try
        {
            var report = await kafka.ApplyAsync(CinematicTopology.Topics(topology), createMissing: true, cancellationToken);
            logger.LogInformation("Embedded Kafka: {Brokers} brokers at {BootstrapServers}, {Topics} topics of {Partitions} partitions",
                options.Brokers, kafka.BootstrapServers, report.Topics.Count, topology.Partitions);

            var registryOptions = new SchemaRegistryServerOptions
            {
                Port = 0,
                ReplicationFactor = Math.Min(topology.ReplicationFactor, (short)kafka.BrokerCount),
                Kafka = new KafkaOptions { BootstrapServers = kafka.BootstrapServers },
            };
            schemaRegistry = await SchemaRegistryServer.StartAsync(registryOptions, kafka, loggers, cancellationToken);
            logger.LogInformation("Schema registry at {Url}, schemas in {Topic}", schemaRegistry.Url, registryOptions.Topic);

            var s3Options = new S3Options
            {
                Region = "us-east-1",
                AccessKey = S3rverProcess.AccessKey,
                SecretKey = S3rverProcess.SecretKey,
                ForcePathStyle = true,
                DisableChunkedUploads = true,
            };
            var dataDirectory = Path.Combine(RepositoryLayout.Root, options.DataDirectory, "s3");
            var s3 = await S3rverProcess.StartAsync(dataDirectory, [s3Options.InputsBucket, s3Options.ArchiveBucket], options.S3Port, cancellationToken);
            s3Options.ServiceUrl = s3.Endpoint.ToString();
            logger.LogInformation("S3 (s3rver) at {Endpoint}, data in {Directory}", s3.Endpoint, dataDirectory);
            return new EmbeddedStack(kafka, schemaRegistry, s3, s3Options, topology);
        }
        catch
        {
            if (schemaRegistry is not null)
            {
                await schemaRegistry.DisposeAsync();
            }

            kafka.Dispose();
            throw;
        }
    }

    /// <summary>The environment that points a service at this stack, as docker-compose would set it.</summary>
    public Dictionary<string, string> ServiceEnvironment() => new()
    {
        ["Kafka__BootstrapServers"] = Kafka.BootstrapServers,
        // The embedded coordinator waits about a session timeout for members to rejoin: keep rebalances quick.
        ["Kafka__SessionTimeoutMs"] = "6000",
        // Nor does it answer a held fetch when data arrives: without this each hop waits up to half a second.
        ["Kafka__FetchWaitMaxMs"] = "10",
        ["Topology__Partitions"] = Topology.Partitions.ToString(),
        ["Topology__ReplicationFactor"] = Math.Min(Topology.ReplicationFactor, (short)Kafka.BrokerCount).ToString(),
        ["SchemaRegistry__Url"] = SchemaRegistry.Url,
        ["S3__ServiceUrl"] = S3Options.ServiceUrl!,
        ["S3__Region"] = S3Options.Region,
        ["S3__AccessKey"] = S3Options.AccessKey!,
        ["S3__SecretKey"] = S3Options.SecretKey!,
        ["S3__ForcePathStyle"] = "true",
        ["S3__DisableChunkedUploads"] = "true",
        ["S3__InputsBucket"] = S3Options.InputsBucket,
        ["S3__ArchiveBucket"] = S3Options.ArchiveBucket,
    };

    public StackEndpoints Endpoints(string? ingestUrl, DemoTenant? demoTenant) => new(
        new KafkaEndpoint(Kafka.BootstrapServers, "", Topology.Partitions),
        new S3Endpoint(S3Options.ServiceUrl!, S3Options.Region, S3Options.AccessKey!, S3Options.SecretKey!, true, true,
            S3Options.InputsBucket, S3Options.ArchiveBucket),
        SchemaRegistry.Url,
        ingestUrl,
        demoTenant);

    public async ValueTask DisposeAsync()
    {
        await S3.DisposeAsync();
        await SchemaRegistry.DisposeAsync();
        Kafka.Dispose();
    }
}
