using System.Net;
using CinematicSwitch.SchemaRegistry.Server.Rest;
using CinematicSwitch.Testing;
using Confluent.SchemaRegistry;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>Soft and permanent deletes, compatibility levels and modes, as operators use them.</summary>
[Trait("Category", "Stack")]
public sealed class DeletionAndConfigTests(DevRegistryFixture registry) : IClassFixture<DevRegistryFixture>
{
    [Fact]
    public async Task A_subject_is_soft_deleted_before_it_can_be_deleted_for_good()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("delete-subject");
        // Ids are global: schemas of this test's own, so that no other subject keeps them alive.
        var id = await api.RegisterAsync(subject, TestSchemas.Unique(TestSchemas.PersonV1));
        await api.RegisterAsync(subject, TestSchemas.Unique(TestSchemas.PersonV2));

        var early = await api.DeleteAsync($"subjects/{subject}?permanent=true");
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.SubjectNotSoftDeleted), (early.Status, early.ErrorCode));
        Assert.Equal($"Subject '{subject}' was not deleted first before being permanently deleted", early.Message);

        Assert.Equal("[1,2]", (await api.DeleteAsync($"subjects/{subject}")).Text);
        Assert.Equal(RegistryErrorCodes.SubjectNotFound, (await api.GetAsync($"subjects/{subject}/versions")).ErrorCode);
        Assert.Equal("[1,2]", (await api.GetAsync($"subjects/{subject}/versions?deleted=true")).Text);
        Assert.DoesNotContain(subject, (await api.GetAsync("subjects")).Json.EnumerateArray().Select(s => s.GetString()));
        Assert.Contains(subject, (await api.GetAsync("subjects?deleted=true")).Json.EnumerateArray().Select(s => s.GetString()));
        // Records already written keep decoding: the id stays readable after a soft delete.
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"schemas/ids/{id}")).Status);

        var twice = await api.DeleteAsync($"subjects/{subject}");
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.SubjectSoftDeleted), (twice.Status, twice.ErrorCode));

        Assert.Equal("[1,2]", (await api.DeleteAsync($"subjects/{subject}?permanent=true")).Text);
        Assert.Equal(RegistryErrorCodes.SubjectNotFound, (await api.GetAsync($"subjects/{subject}/versions?deleted=true")).ErrorCode);
        Assert.Equal(RegistryErrorCodes.SchemaNotFound, (await api.GetAsync($"schemas/ids/{id}")).ErrorCode);

        // The subject starts afresh; ids are never reused.
        var fresh = await api.RegisterAsync(subject, TestSchemas.PersonV3);
        Assert.NotEqual(id, fresh);
        Assert.Equal("[1]", (await api.GetAsync($"subjects/{subject}/versions")).Text);
    }

    [Fact]
    public async Task Versions_are_soft_deleted_then_permanently_deleted()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("delete-version");
        await api.RegisterAsync(subject, TestSchemas.PersonV1);
        await api.RegisterAsync(subject, TestSchemas.PersonV2);

        var early = await api.DeleteAsync($"subjects/{subject}/versions/1?permanent=true");
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.VersionNotSoftDeleted), (early.Status, early.ErrorCode));

        Assert.Equal("2", (await api.DeleteAsync($"subjects/{subject}/versions/latest")).Text);
        Assert.Equal("[1]", (await api.GetAsync($"subjects/{subject}/versions")).Text);
        Assert.Equal(1, (await api.GetAsync($"subjects/{subject}/versions/latest")).Json.GetProperty("version").GetInt32());
        Assert.Equal(RegistryErrorCodes.VersionNotFound, (await api.GetAsync($"subjects/{subject}/versions/2")).ErrorCode);
        Assert.Equal(2, (await api.GetAsync($"subjects/{subject}/versions/2?deleted=true")).Json.GetProperty("version").GetInt32());

        Assert.Equal("2", (await api.DeleteAsync($"subjects/{subject}/versions/2?permanent=true")).Text);
        Assert.Equal(RegistryErrorCodes.VersionNotFound, (await api.GetAsync($"subjects/{subject}/versions/2?deleted=true")).ErrorCode);
        Assert.Equal("[1]", (await api.GetAsync($"subjects/{subject}/versions?deleted=true")).Text);
        // Registering V2 again makes a new version (numbers are not reused while the subject lives).
        await api.RegisterAsync(subject, TestSchemas.PersonV2);
        Assert.Equal("[1,2]", (await api.GetAsync($"subjects/{subject}/versions")).Text);
    }

    [Fact]
    public async Task Subject_compatibility_levels_override_the_global_one_and_are_enforced()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("config");
        await api.RegisterAsync(subject, TestSchemas.PersonV1);

        var unset = await api.GetAsync($"config/{subject}");
        Assert.Equal((HttpStatusCode.NotFound, RegistryErrorCodes.SubjectCompatibilityNotConfigured), (unset.Status, unset.ErrorCode));
        Assert.Equal($"Subject '{subject}' does not have subject-level compatibility configured", unset.Message);
        Assert.Equal("{\"compatibilityLevel\":\"BACKWARD\"}", (await api.GetAsync($"config/{subject}?defaultToGlobal=true")).Text);

        Assert.Equal("{\"compatibility\":\"NONE\"}", (await api.PutAsync($"config/{subject}", "{\"compatibility\":\"none\"}")).Text);
        Assert.Equal("{\"compatibilityLevel\":\"NONE\"}", (await api.GetAsync($"config/{subject}")).Text);
        // Under NONE the breaking change is accepted.
        await api.RegisterAsync(subject, TestSchemas.PersonV3);

        Assert.Equal("{\"compatibilityLevel\":\"NONE\"}", (await api.DeleteAsync($"config/{subject}")).Text);
        Assert.Equal(RegistryErrorCodes.SubjectCompatibilityNotConfigured, (await api.GetAsync($"config/{subject}")).ErrorCode);
        var refused = await api.PostAsync($"subjects/{subject}/versions", RawApi.SchemaBody(TestSchemas.PersonNameAsNumber));
        Assert.Equal(HttpStatusCode.Conflict, refused.Status);

        var invalid = await api.PutAsync($"config/{subject}", "{\"compatibility\":\"SIDEWAYS\"}");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, RegistryErrorCodes.InvalidCompatibilityLevel), (invalid.Status, invalid.ErrorCode));
    }

    [Fact]
    public async Task A_read_only_subject_refuses_registrations()
    {
        using var api = new RawApi(registry.Url);
        var subject = TestSchemas.NewSubject("mode");
        await api.RegisterAsync(subject, TestSchemas.PersonV1);

        Assert.Equal("{\"mode\":\"READWRITE\"}", (await api.GetAsync("mode")).Text);
        Assert.Equal(RegistryErrorCodes.SubjectModeNotConfigured, (await api.GetAsync($"mode/{subject}")).ErrorCode);
        Assert.Equal("{\"mode\":\"READONLY\"}", (await api.PutAsync($"mode/{subject}", "{\"mode\":\"READONLY\"}")).Text);

        var refused = await api.PostAsync($"subjects/{subject}/versions", RawApi.SchemaBody(TestSchemas.PersonV2));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, RegistryErrorCodes.OperationNotPermitted), (refused.Status, refused.ErrorCode));
        Assert.Equal(RegistryErrorCodes.OperationNotPermitted, (await api.DeleteAsync($"subjects/{subject}")).ErrorCode);

        Assert.Equal("{\"mode\":\"READONLY\"}", (await api.DeleteAsync($"mode/{subject}")).Text);
        await api.RegisterAsync(subject, TestSchemas.PersonV2);
        var invalid = await api.PutAsync($"mode/{subject}", "{\"mode\":\"SOMETIMES\"}");
        Assert.Equal((HttpStatusCode.UnprocessableEntity, RegistryErrorCodes.InvalidMode), (invalid.Status, invalid.ErrorCode));
    }

    [Fact]
    public async Task The_global_level_is_set_and_reset_on_a_registry_of_its_own()
    {
        var stack = await SharedStack.GetAsync();
        await using var server = await TestSchemaRegistry.StartServerAsync(stack.Kafka, TestKafka.NewPrefix("global") + "_schemas", CancellationToken.None,
            o => o.DefaultCompatibility = "FULL");
        using var api = new RawApi(server.Url);

        Assert.Equal("{\"compatibilityLevel\":\"FULL\"}", (await api.GetAsync("config")).Text);
        Assert.Equal("{\"compatibility\":\"FORWARD_TRANSITIVE\"}", (await api.PutAsync("config", "{\"compatibility\":\"FORWARD_TRANSITIVE\"}")).Text);
        Assert.Equal("{\"compatibilityLevel\":\"FORWARD_TRANSITIVE\"}", (await api.GetAsync("config")).Text);
        var subject = TestSchemas.NewSubject("global");
        Assert.Equal("{\"compatibilityLevel\":\"FORWARD_TRANSITIVE\"}", (await api.GetAsync($"config/{subject}?defaultToGlobal=true")).Text);

        // FORWARD lets V1 readers read V3 data (they skip phone), though V3 cannot read V1 data.
        await api.RegisterAsync(subject, TestSchemas.PersonV1);
        await api.RegisterAsync(subject, TestSchemas.PersonV3);

        Assert.Equal("{\"compatibilityLevel\":\"FORWARD_TRANSITIVE\"}", (await api.DeleteAsync("config")).Text);
        Assert.Equal("{\"compatibilityLevel\":\"FULL\"}", (await api.GetAsync("config")).Text);
    }

    [Fact]
    public async Task Basic_authentication_is_required_when_users_are_configured()
    {
        var stack = await SharedStack.GetAsync();
        await using var server = await TestSchemaRegistry.StartServerAsync(stack.Kafka, TestKafka.NewPrefix("auth") + "_schemas", CancellationToken.None,
            o => o.BasicAuthUsers["alice"] = "wonderland");
        using var api = new RawApi(server.Url);

        var anonymous = await api.GetAsync("subjects");
        Assert.Equal((HttpStatusCode.Unauthorized, 401), (anonymous.Status, anonymous.ErrorCode));

        using var wrong = Client(server.Url, "alice:rabbit");
        var refused = await Assert.ThrowsAsync<SchemaRegistryException>(() => wrong.GetAllSubjectsAsync());
        Assert.Equal((HttpStatusCode.Unauthorized, 401), (refused.Status, refused.ErrorCode));
        Assert.DoesNotContain("rabbit", refused.Message, StringComparison.Ordinal);

        using var right = Client(server.Url, "alice:wonderland");
        var subject = TestSchemas.NewSubject("auth");
        var id = await right.RegisterSchemaAsync(subject, ConfluentClientTests.Avro(TestSchemas.PersonV1));
        Assert.Equal(id, (await right.GetLatestSchemaAsync(subject)).Id);
    }

    private static CachedSchemaRegistryClient Client(string url, string userInfo) => ConfluentClientTests.Client(url, o => o.BasicAuthUserInfo = userInfo);
}
