using System.Net;
using System.Text;
using System.Text.Json;
using CinematicSwitch.Testing;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>The development registry keeps its state in its Kafka topic, and only there.</summary>
[Trait("Category", "Stack")]
public sealed class PersistenceTests
{
    [Fact]
    public async Task A_restarted_registry_rebuilds_ids_versions_deletions_and_settings_from_its_topic()
    {
        var stack = await SharedStack.GetAsync();
        var topic = TestKafka.NewPrefix("persist") + "_schemas";
        var people = TestSchemas.NewSubject("persist-people");
        var other = TestSchemas.NewSubject("persist-other");
        int v1, v2, v3;

        await using (var first = await TestSchemaRegistry.StartServerAsync(stack.Kafka, topic, CancellationToken.None))
        {
            using var api = new RawApi(first.Url);
            v1 = await api.RegisterAsync(people, TestSchemas.PersonV1);
            v2 = await api.RegisterAsync(people, TestSchemas.PersonV2);
            await api.PutAsync($"config/{other}", "{\"compatibility\":\"NONE\"}");
            await api.RegisterAsync(other, TestSchemas.PersonV1);
            v3 = await api.RegisterAsync(other, TestSchemas.PersonV3);
            await api.DeleteAsync($"subjects/{people}/versions/1");
            await api.PutAsync("config", "{\"compatibility\":\"FULL\"}");
        }

        await using (var second = await TestSchemaRegistry.StartServerAsync(stack.Kafka, topic, CancellationToken.None))
        {
            using var api = new RawApi(second.Url);
            Assert.Equal("[2]", (await api.GetAsync($"subjects/{people}/versions")).Text);
            Assert.Equal("[1,2]", (await api.GetAsync($"subjects/{people}/versions?deleted=true")).Text);
            Assert.Equal(v2, (await api.GetAsync($"subjects/{people}/versions/latest")).Json.GetProperty("id").GetInt32());
            Assert.Equal(v3, (await api.GetAsync($"subjects/{other}/versions/2")).Json.GetProperty("id").GetInt32());
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"schemas/ids/{v1}")).Status);
            Assert.Equal("{\"compatibilityLevel\":\"NONE\"}", (await api.GetAsync($"config/{other}")).Text);
            Assert.Equal("{\"compatibilityLevel\":\"FULL\"}", (await api.GetAsync("config")).Text);

            // Re-registering answers the same id without a new version; a new schema continues the ids.
            Assert.Equal(v2, await api.RegisterAsync(people, TestSchemas.PersonV2));
            Assert.Equal("[2]", (await api.GetAsync($"subjects/{people}/versions")).Text);
            var next = await api.RegisterAsync(TestSchemas.NewSubject("persist-new"), TestSchemas.PersonNameAsNumber);
            Assert.Equal(new[] { v1, v2, v3 }.Max() + 1, next);
        }

        // What is in the topic: JSON keys naming what changed, JSON values holding its state.
        var records = await TopicReader.ReadAsync<byte[], byte[]>(stack.Kafka.BootstrapServers, topic, expected: 8);
        Assert.Equal(8, records.Count);
        var keys = records.Select(r => JsonDocument.Parse(r.Message.Key).RootElement).ToList();
        Assert.Equal(6, keys.Count(k => k.GetProperty("kind").GetString() == "SCHEMA"));
        Assert.Equal(2, keys.Count(k => k.GetProperty("kind").GetString() == "CONFIG"));
        var softDelete = records.Single(r => Encoding.UTF8.GetString(r.Message.Key).Contains(people, StringComparison.Ordinal)
            && JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("deleted").GetBoolean());
        Assert.Equal(1, JsonDocument.Parse(softDelete.Message.Key).RootElement.GetProperty("version").GetInt32());
        Assert.All(records, r => Assert.Equal(0, r.Partition.Value));
    }
}
