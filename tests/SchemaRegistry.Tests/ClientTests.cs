using System.Net;
using CinematicSwitch.Avro;
using CinematicSwitch.SchemaRegistry.Rest;
using CinematicSwitch.Testing;
using Microsoft.AspNetCore.Http;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>The registry client against the test registry over HTTP: the API, its caches, and how failures surface.</summary>
public sealed class ClientTests
{
    [Fact]
    public async Task Registration_lookup_and_schemas_by_id_are_cached()
    {
        var registry = (await SharedStack.GetAsync()).SchemaRegistry;
        var requests = new CountingHandler();
        using var client = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registry.Url }, handler: requests);
        var subject = TestSchemas.NewSubject("cache");

        var id = await client.RegisterSchemaAsync(subject, TestSchemas.PersonV1);
        Assert.Equal(id, await client.RegisterSchemaAsync(subject, TestSchemas.PersonV1));
        Assert.Equal(1, requests.Count);

        // The id of a registered schema is known without asking.
        var byId = await client.GetSchemaAsync(id);
        Assert.Equal(TestSchemas.V1.ToCanonicalForm(), Schema.Parse(byId.Schema).ToCanonicalForm());
        Assert.Equal("AVRO", byId.SchemaType);
        Assert.Equal(1, requests.Count);

        var found = await client.LookupSchemaAsync(subject, TestSchemas.PersonV1);
        Assert.Equal((subject, 1, id), (found.Subject, found.Version, found.Id));
        await client.LookupSchemaAsync(subject, TestSchemas.PersonV1);
        Assert.Equal(2, requests.Count);

        // A fresh client fetches an id once, however many callers ask at the same time.
        var fresh = new CountingHandler();
        using var other = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registry.Url }, handler: fresh);
        var all = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => other.GetSchemaAsync(id)));
        Assert.Single(all.Select(s => Schema.Parse(s.Schema).ToCanonicalForm()).Distinct());
        Assert.Equal(1, fresh.Count);
    }

    [Fact]
    public async Task Versions_subjects_latest_and_compatibility_are_read_through_the_client()
    {
        var registry = (await SharedStack.GetAsync()).SchemaRegistry;
        using var client = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registry.Url });
        var subject = TestSchemas.NewSubject("client-api");
        var v1 = await client.RegisterSchemaAsync(subject, TestSchemas.PersonV1);
        var v2 = await client.RegisterSchemaAsync(subject, TestSchemas.PersonV2);

        Assert.Equal([1, 2], await client.GetVersionsAsync(subject));
        Assert.Contains(subject, await client.GetSubjectsAsync());
        Assert.Equal((2, v2), ((await client.GetLatestSchemaAsync(subject)).Version, (await client.GetLatestSchemaAsync(subject)).Id));
        Assert.Equal(v1, (await client.GetSchemaAsync(subject, 1)).Id);

        var breaking = await client.CheckCompatibilityAsync(subject, TestSchemas.PersonV3);
        Assert.False(breaking.IsCompatible);
        Assert.Contains(breaking.Messages, m => m.Contains("phone", StringComparison.Ordinal));
        Assert.True((await client.CheckCompatibilityAsync(subject, TestSchemas.PersonV2)).IsCompatible);

        await client.SetCompatibilityAsync(subject, CompatibilityLevel.FullTransitive);
        Assert.Equal(CompatibilityLevel.FullTransitive, await client.GetCompatibilityAsync(subject));
        // An unconfigured subject reports the global level.
        Assert.Equal(await client.GetCompatibilityAsync(null), await client.GetCompatibilityAsync(TestSchemas.NewSubject("unconfigured")));

        Assert.Equal([1, 2], await client.DeleteSubjectAsync(subject));
        Assert.Equal([1, 2], await client.DeleteSubjectAsync(subject, permanent: true));
    }

    [Fact]
    public async Task Client_errors_carry_the_registry_code_and_are_not_cached()
    {
        var registry = (await SharedStack.GetAsync()).SchemaRegistry;
        var requests = new CountingHandler();
        using var client = new SchemaRegistryClient(new SchemaRegistryOptions { Url = registry.Url }, handler: requests);

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var e = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetSchemaAsync(2147480000));
            Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.SchemaNotFound), (e.Status, e.ErrorCode));
            Assert.Contains("/schemas/ids/2147480000", e.Message, StringComparison.Ordinal);
            Assert.Equal(attempt, requests.Count);
        }

        var subject = TestSchemas.NewSubject("client-409");
        await client.RegisterSchemaAsync(subject, TestSchemas.PersonV1);
        var conflict = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(subject, TestSchemas.PersonV3));
        Assert.Equal((HttpStatusCode.Conflict, 409), (conflict.Status, conflict.ErrorCode));
        Assert.IsNotAssignableFrom<HttpRequestException>(conflict);
    }

    [Fact]
    public async Task An_unreachable_registry_surfaces_as_a_retriable_HttpRequestException()
    {
        var port = LoopbackPorts.Free();
        using var client = new SchemaRegistryClient(new SchemaRegistryOptions { Url = $"http://127.0.0.1:{port}" });

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetSchemaAsync(1));

        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
        Assert.Contains("unreachable", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_in_time_surfaces_as_a_TimeoutException()
    {
        await using var stalled = await LoopbackServer.StartAsync(async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        using var client = new SchemaRegistryClient(new SchemaRegistryOptions { Url = stalled.OriginText, RequestTimeoutMs = 300 });

        var e = await Assert.ThrowsAsync<TimeoutException>(() => client.GetSchemaAsync(1));

        Assert.Contains("did not answer GET /schemas/ids/1 within 300 ms", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_errors_stay_retriable_HttpRequestExceptions_with_the_registry_message()
    {
        await using var failing = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = RegistryMediaTypes.V1;
            await context.Response.WriteAsync("{\"error_code\":50001,\"message\":\"Error in the backend data store\"}");
        });
        using var client = new SchemaRegistryClient(new SchemaRegistryOptions { Url = failing.OriginText });

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.RegisterSchemaAsync("s-value", TestSchemas.PersonV1));

        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Contains("error 50001: Error in the backend data store", e.Message, StringComparison.Ordinal);
    }
}
