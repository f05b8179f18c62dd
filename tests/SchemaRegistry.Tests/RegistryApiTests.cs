using System.Net;
using Avro;
using CinematicSwitch.SchemaRegistry.Server.Rest;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>The development registry's REST surface: the Confluent Schema Registry API's paths, shapes and error codes.</summary>
[Trait("Category", "Stack")]
public sealed class RegistryApiTests(DevRegistryFixture registry) : IClassFixture<DevRegistryFixture>
{
    [Fact]
    public async Task Registration_is_idempotent_and_ids_are_global_across_subjects()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("register");
        var other = TestSchemas.NewSubject("register-other");

        var first = await api.RegisterAsync(subject, TestSchemas.PersonV1);
        // Whitespace and key order do not make another schema.
        var again = await api.RegisterAsync(subject, Schema.Parse(TestSchemas.PersonV1).ToString());
        var second = await api.RegisterAsync(subject, TestSchemas.PersonV2);
        var elsewhere = await api.RegisterAsync(other, TestSchemas.PersonV1);

        Assert.Equal(first, again);
        Assert.NotEqual(first, second);
        Assert.Equal(first, elsewhere);
        Assert.Equal("[1,2]", (await api.GetAsync($"subjects/{subject}/versions")).Text);
        Assert.Equal("[1]", (await api.GetAsync($"subjects/{other}/versions")).Text);

        var latest = await api.GetAsync($"subjects/{subject}/versions/latest");
        Assert.Equal(HttpStatusCode.OK, latest.Status);
        Assert.Equal(RegistryMediaTypes.V1, latest.ContentType);
        Assert.Equal(subject, latest.Json.GetProperty("subject").GetString());
        Assert.Equal(2, latest.Json.GetProperty("version").GetInt32());
        Assert.Equal(second, latest.Json.GetProperty("id").GetInt32());
        Assert.Equal(TestSchemas.Canonical(TestSchemas.V2), TestSchemas.Canonical(latest.Json.GetProperty("schema").GetString()!));
        // AVRO is the default type and is left out, as Confluent's registry does.
        Assert.False(latest.Json.TryGetProperty("schemaType", out _));

        Assert.Equal(first, (await api.GetAsync($"subjects/{subject}/versions/1")).Json.GetProperty("id").GetInt32());
        Assert.Equal(2, (await api.GetAsync($"subjects/{subject}/versions/-1")).Json.GetProperty("version").GetInt32());
        Assert.Equal(TestSchemas.Canonical(TestSchemas.V2), TestSchemas.Canonical((await api.GetAsync($"subjects/{subject}/versions/2/schema")).Text));
        Assert.Equal("[]", (await api.GetAsync($"subjects/{subject}/versions/1/referencedby")).Text);
    }

    [Fact]
    public async Task Schemas_by_id_list_where_they_are_used()
    {
        using var api = new RawApi(registry.Url);
        var a = TestSchemas.NewSubject("ids-a");
        var b = TestSchemas.NewSubject("ids-b");
        var id = await api.RegisterAsync(a, TestSchemas.PersonV1);
        await api.RegisterAsync(b, TestSchemas.PersonV1);

        var byId = await api.GetAsync($"schemas/ids/{id}");
        Assert.Equal(HttpStatusCode.OK, byId.Status);
        Assert.Equal(TestSchemas.Canonical(TestSchemas.V1), TestSchemas.Canonical(byId.Json.GetProperty("schema").GetString()!));
        Assert.Equal(TestSchemas.Canonical(TestSchemas.V1), TestSchemas.Canonical((await api.GetAsync($"schemas/ids/{id}/schema")).Text));

        var versions = (await api.GetAsync($"schemas/ids/{id}/versions")).Json.EnumerateArray()
            .Select(v => (v.GetProperty("subject").GetString(), v.GetProperty("version").GetInt32()))
            .Where(v => v.Item1 == a || v.Item1 == b)
            .ToList();
        Assert.Equal(new (string?, int)[] { (a, 1), (b, 1) }.Order(), versions.Order());
        var subjects = (await api.GetAsync($"schemas/ids/{id}/subjects")).Json.EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Contains(a, subjects);
        Assert.Contains(b, subjects);
        Assert.Contains(a, (await api.GetAsync("subjects")).Json.EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("[\"AVRO\"]", (await api.GetAsync("schemas/types")).Text);
    }

    [Fact]
    public async Task Lookup_finds_the_version_holding_a_schema()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("lookup");
        await api.RegisterAsync(subject, TestSchemas.PersonV1);
        var id = await api.RegisterAsync(subject, TestSchemas.PersonV2);

        var found = await api.PostAsync($"subjects/{subject}", RawApi.SchemaBody(TestSchemas.PersonV2));
        Assert.Equal(HttpStatusCode.OK, found.Status);
        Assert.Equal(2, found.Json.GetProperty("version").GetInt32());
        Assert.Equal(id, found.Json.GetProperty("id").GetInt32());
        Assert.Equal(subject, found.Json.GetProperty("subject").GetString());

        var missing = await api.PostAsync($"subjects/{subject}", RawApi.SchemaBody(TestSchemas.PersonV3));
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.SchemaNotFound), (missing.Status, missing.ErrorCode));
        Assert.Equal("Schema not found", missing.Message);
        var noSubject = await api.PostAsync($"subjects/{TestSchemas.NewSubject("nobody")}", RawApi.SchemaBody(TestSchemas.PersonV1));
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.SubjectNotFound), (noSubject.Status, noSubject.ErrorCode));
    }

    [Fact]
    public async Task A_change_that_breaks_backward_compatibility_is_refused_with_the_confluent_409()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("breaking");
        await api.RegisterAsync(subject, TestSchemas.PersonV1);

        var refused = await api.PostAsync($"subjects/{subject}/versions", RawApi.SchemaBody(TestSchemas.PersonV3));

        Assert.Equal(HttpStatusCode.Conflict, refused.Status);
        Assert.Equal(RegistryMediaTypes.V1, refused.ContentType);
        Assert.Equal(409, refused.ErrorCode);
        Assert.StartsWith($"Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [", refused.Message,
            StringComparison.Ordinal);
        Assert.Contains("phone", refused.Message, StringComparison.Ordinal);
        Assert.Contains("{compatibility: 'BACKWARD'}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["error_code", "message"], refused.Json.EnumerateObject().Select(p => p.Name));
        // Nothing was registered.
        Assert.Equal("[1]", (await api.GetAsync($"subjects/{subject}/versions")).Text);
    }

    [Fact]
    public async Task Compatibility_checks_answer_with_verbose_messages()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("compat");
        await api.RegisterAsync(subject, TestSchemas.PersonV1);

        var good = await api.PostAsync($"compatibility/subjects/{subject}/versions/latest?verbose=true", RawApi.SchemaBody(TestSchemas.PersonV2));
        Assert.True(good.Json.GetProperty("is_compatible").GetBoolean());
        var bad = await api.PostAsync($"compatibility/subjects/{subject}/versions/1?verbose=true", RawApi.SchemaBody(TestSchemas.PersonV3));
        Assert.False(bad.Json.GetProperty("is_compatible").GetBoolean());
        var messages = bad.Json.GetProperty("messages").EnumerateArray().Select(m => m.GetString()!).ToList();
        Assert.Contains(messages, m => m.Contains("phone", StringComparison.Ordinal) && m.Contains("BACKWARD", StringComparison.Ordinal));
        Assert.Contains("{oldSchemaVersion: 1}", messages);
        var terse = await api.PostAsync($"compatibility/subjects/{subject}/versions/latest", RawApi.SchemaBody(TestSchemas.PersonV3));
        Assert.Equal("{\"is_compatible\":false}", terse.Text);
        var all = await api.PostAsync($"compatibility/subjects/{subject}/versions", RawApi.SchemaBody(TestSchemas.PersonV2));
        Assert.True(all.Json.GetProperty("is_compatible").GetBoolean());

        var noVersion = await api.PostAsync($"compatibility/subjects/{subject}/versions/7", RawApi.SchemaBody(TestSchemas.PersonV2));
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.VersionNotFound, "Version 7 not found."), (noVersion.Status, noVersion.ErrorCode, noVersion.Message));
    }

    [Fact]
    public async Task Unknown_subjects_versions_and_ids_answer_with_their_error_codes()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("errors");
        await api.RegisterAsync(subject, TestSchemas.PersonV1);
        var unknown = TestSchemas.NewSubject("unknown");

        var noSubject = await api.GetAsync($"subjects/{unknown}/versions");
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.SubjectNotFound, $"Subject '{unknown}' not found."),
            (noSubject.Status, noSubject.ErrorCode, noSubject.Message));
        var noVersion = await api.GetAsync($"subjects/{subject}/versions/5");
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.VersionNotFound), (noVersion.Status, noVersion.ErrorCode));
        var noSchema = await api.GetAsync("schemas/ids/2147483000");
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.SchemaNotFound, "Schema 2147483000 not found"), (noSchema.Status, noSchema.ErrorCode, noSchema.Message));

        foreach (var version in new[] { "abc", "0", "-2" })
        {
            var invalid = await api.GetAsync($"subjects/{subject}/versions/{version}");
            Assert.Equal((HttpStatusCode.UnprocessableEntity, RegistryErrorCodes.InvalidVersion), (invalid.Status, invalid.ErrorCode));
            Assert.Contains($"'{version}' is not a valid version id", invalid.Message, StringComparison.Ordinal);
        }

        var path = await api.GetAsync("no/such/path");
        Assert.Equal((HttpStatusCode.NotFound, 404), (path.Status, path.ErrorCode));
    }

    [Fact]
    public async Task Invalid_schemas_other_schema_types_and_references_are_refused_with_42201()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("invalid");

        var notAvro = await api.PostAsync($"subjects/{subject}/versions", RawApi.SchemaBody("{\"type\":\"record\",\"name\":\"X\",\"fields\":[{\"name\":\"a\"}]}"));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, RegistryErrorCodes.InvalidSchema), (notAvro.Status, notAvro.ErrorCode));
        Assert.StartsWith("Invalid schema", notAvro.Message, StringComparison.Ordinal);
        var protobuf = await api.PostAsync($"subjects/{subject}/versions", RawApi.SchemaBody("syntax = \"proto3\";", "PROTOBUF"));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, RegistryErrorCodes.InvalidSchema), (protobuf.Status, protobuf.ErrorCode));
        Assert.Contains("PROTOBUF", protobuf.Message, StringComparison.Ordinal);
        var references = await api.PostAsync($"subjects/{subject}/versions",
            $$"""{"schema":{{System.Text.Json.JsonSerializer.Serialize(TestSchemas.PersonV1)}},"references":[{"name":"other.Type","subject":"s","version":1}]}""");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, RegistryErrorCodes.InvalidSchema), (references.Status, references.ErrorCode));
        var notJson = await api.PostAsync($"subjects/{subject}/versions", "{\"schema\":");
        Assert.Equal((HttpStatusCode.BadRequest, 400), (notJson.Status, notJson.ErrorCode));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"subjects/{subject}/versions")).Status);
    }

    [Fact]
    public async Task Bodies_are_read_whatever_their_declared_content_type()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("content");
        foreach (var contentType in new[] { RegistryMediaTypes.Json, RegistryMediaTypes.Generic, "application/octet-stream", null })
        {
            var response = await api.PostAsync($"subjects/{subject}/versions", RawApi.SchemaBody(TestSchemas.PersonV1), contentType);
            Assert.Equal(HttpStatusCode.OK, response.Status);
        }
    }
}
