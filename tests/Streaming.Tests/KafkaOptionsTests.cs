using CinematicSwitch.ServiceDefaults.Options;
using CinematicSwitch.Streaming.Clients;
using CinematicSwitch.Streaming.Embedded;
using CinematicSwitch.Streaming.Processing.Ownership;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Streaming.Tests;

/// <summary>The session and heartbeat settings, as a service binds and validates them, and the leases derived from them.</summary>
public sealed class KafkaOptionsTests
{
    [Fact]
    public void A_lease_ends_a_heartbeat_interval_and_a_margin_before_the_session()
    {
        // Classic: the client heartbeats every fifth of its session.
        Assert.Equal(TimeSpan.FromMilliseconds(6000 - 1200 - 500), OwnershipLease.DurationFor(Bind(new Dictionary<string, string> { ["Kafka:SessionTimeoutMs"] = "6000" })));

        // KIP-848: the brokers' heartbeat, stated, counts even where it is longer than a fifth of their session (Kafka's
        // 5 s default under the compose file's 15 s session): the lease is 9.5 s, not the 11.5 s a fifth would give, which
        // would outlast the 10 s the coordinator guarantees after a member's last heartbeat.
        var compose = Bind(new Dictionary<string, string> { ["Kafka:GroupProtocol"] = "consumer", ["Kafka:SessionTimeoutMs"] = "15000", ["Kafka:HeartbeatIntervalMs"] = "5000" });
        Assert.Equal(TimeSpan.FromMilliseconds(15000 - 5000 - 500), OwnershipLease.DurationFor(compose));
    }

    [Fact]
    public void The_embedded_clusters_KIP_848_settings_give_leases_within_its_session_that_commits_can_keep_renewed()
    {
        var options = Bind(EmbeddedKafka.ConsumerGroupSettings);
        var lease = OwnershipLease.DurationFor(options);

        Assert.True(lease <= TimeSpan.FromMilliseconds(EmbeddedKafka.ConsumerGroupSessionTimeoutMs - EmbeddedKafka.ConsumerGroupHeartbeatIntervalMs),
            $"lease {lease}");
        // Commits renew the leases every CommitInterval (0.5 s by default): several must fit in one lease.
        Assert.True(lease >= TimeSpan.FromSeconds(1.5), $"lease {lease}");
    }

    [Fact]
    public void A_heartbeat_longer_than_a_third_of_the_session_stops_startup()
    {
        var e = Assert.Throws<OptionsValidationException>(() =>
            Bind(new Dictionary<string, string> { ["Kafka:SessionTimeoutMs"] = "6000", ["Kafka:HeartbeatIntervalMs"] = "2500" }));

        Assert.Contains("Kafka:HeartbeatIntervalMs", e.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMilliseconds(2000), Bind(new Dictionary<string, string> { ["Kafka:SessionTimeoutMs"] = "6000", ["Kafka:HeartbeatIntervalMs"] = "2000" }).HeartbeatInterval());
    }

    private static KafkaOptions Bind(IReadOnlyDictionary<string, string> settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Append(KeyValuePair.Create("Kafka:BootstrapServers", "127.0.0.1:9092")).Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddValidatedOptions<KafkaOptions>(configuration, KafkaOptions.SectionName);
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<KafkaOptions>>().Value;
    }
}
