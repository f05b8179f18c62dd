using System.Net;
using CinematicSwitch.SchemaRegistry.Server.Rest;
using CinematicSwitch.Testing;
using Confluent.SchemaRegistry;
using Microsoft.AspNetCore.Http;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>Confluent's registry client against the development registry over HTTP: the API as the client uses it,
/// and how failures surface (what the stream runtime retries and what it does not).</summary>
[Trait("Category", "Stack")]
public sealed class ConfluentClientTests(DevRegistryFixture registry) : IClassFixture<DevRegistryFixture>
{
    [Fact]
    public async Task Registrations_lookups_versions_and_compatibility_answer_as_the_client_expects()
    {
        using var client = Client(registry.Url);
        var subject = TestSchemas.NewSubject("client-api");

        var v1 = await client.RegisterSchemaAsync(subject, Avro(TestSchemas.PersonV1));
        Assert.Equal(v1, await client.RegisterSchemaAsync(subject, Avro(TestSchemas.PersonV1)));
        var v2 = await client.RegisterSchemaAsync(subject, Avro(TestSchemas.PersonV2));
        Assert.NotEqual(v1, v2);

        var byId = await client.GetSchemaAsync(v1);
        Assert.Equal(SchemaType.Avro, byId.SchemaType);
        Assert.Equal(TestSchemas.Canonical(TestSchemas.PersonV1), TestSchemas.Canonical(byId.SchemaString));
        var found = await client.LookupSchemaAsync(subject, Avro(TestSchemas.PersonV1), ignoreDeletedSchemas: true);
        Assert.Equal((subject, 1, v1), (found.Subject, found.Version, found.Id));

        Assert.Equal([1, 2], await client.GetSubjectVersionsAsync(subject));
        Assert.Contains(subject, await client.GetAllSubjectsAsync());
        var latest = await client.GetLatestSchemaAsync(subject);
        Assert.Equal((2, v2), (latest.Version, latest.Id));
        Assert.Equal(v1, (await client.GetRegisteredSchemaAsync(subject, 1)).Id);

        Assert.False(await client.IsCompatibleAsync(subject, Avro(TestSchemas.PersonV3)));
        Assert.True(await client.IsCompatibleAsync(subject, Avro(TestSchemas.PersonV2)));
        Assert.Equal(Compatibility.FullTransitive, await client.UpdateCompatibilityAsync(Compatibility.FullTransitive, subject));
        Assert.Equal(Compatibility.FullTransitive, await client.GetCompatibilityAsync(subject));
        Assert.Equal(Compatibility.Backward, await client.GetCompatibilityAsync());
    }

    [Fact]
    public async Task Client_errors_carry_the_registry_code()
    {
        using var client = Client(registry.Url);

        var unknown = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.GetSchemaAsync(2147480000));
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.SchemaNotFound), (unknown.Status, unknown.ErrorCode));

        var subject = TestSchemas.NewSubject("client-409");
        await client.RegisterSchemaAsync(subject, Avro(TestSchemas.PersonV1));
        var conflict = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync(subject, Avro(TestSchemas.PersonV3)));
        Assert.Equal((HttpStatusCode.Conflict, 409), (conflict.Status, conflict.ErrorCode));
        Assert.Contains("phone", conflict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_registry_surfaces_as_an_HttpRequestException_that_is_no_registry_answer()
    {
        using var client = Client($"http://127.0.0.1:{LoopbackPorts.Free()}");

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetSchemaAsync(1));

        Assert.IsNotType<SchemaRegistryException>(e);
    }

    [Fact]
    public async Task A_registry_that_does_not_answer_in_time_surfaces_as_an_HttpRequestException()
    {
        await using var stalled = await LoopbackServer.StartAsync(async context => await Task.Delay(Timeout.Infinite, context.RequestAborted));
        using var client = Client(stalled.OriginText, o => o.RequestTimeoutMs = 300);

        var e = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetSchemaAsync(1));

        Assert.IsNotType<SchemaRegistryException>(e);
        Assert.Contains("Timeout", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Server_errors_stay_HttpRequestExceptions_with_the_registry_code()
    {
        await using var failing = await LoopbackServer.StartAsync(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = RegistryMediaTypes.V1;
            await context.Response.WriteAsync("{\"error_code\":50001,\"message\":\"Error in the backend data store\"}");
        });
        using var client = Client(failing.OriginText);

        var e = await Assert.ThrowsAsync<SchemaRegistryException>(() => client.RegisterSchemaAsync("s-value", Avro(TestSchemas.PersonV1)));

        Assert.IsAssignableFrom<HttpRequestException>(e);
        Assert.Equal((HttpStatusCode.InternalServerError, 50001), (e.Status, e.ErrorCode));
        Assert.Contains("Error in the backend data store", e.Message, StringComparison.Ordinal);
    }

    internal static CachedSchemaRegistryClient Client(string url, Action<SchemaRegistryOptions>? configure = null)
    {
        var options = new SchemaRegistryOptions { Url = url };
        configure?.Invoke(options);
        return new CachedSchemaRegistryClient(options.ClientConfig());
    }

    internal static Schema Avro(string schema) => new(schema, SchemaType.Avro);
}
