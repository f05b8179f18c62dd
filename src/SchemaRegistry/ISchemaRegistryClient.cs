using CinematicSwitch.Avro;

namespace CinematicSwitch.SchemaRegistry;

/// <summary>A subject's schema version as the registry stores it.</summary>
public sealed record RegisteredSchema(string Subject, int Version, int Id, string Schema, string SchemaType);

/// <summary>A schema by its global id.</summary>
public sealed record SchemaById(int Id, string Schema, string SchemaType);

/// <summary>The outcome of a compatibility check, with the registry's messages.</summary>
public sealed record CompatibilityCheck(bool IsCompatible, IReadOnlyList<string> Messages);

/// <summary>
/// The Schema Registry REST API that serializers and operators use, limited to what Confluent Schema Registry,
/// Karapace, Apicurio (ccompat) and Redpanda all serve. Client errors (4xx) throw <see cref="SchemaRegistryException"/>;
/// an unreachable or failing registry throws <see cref="HttpRequestException"/> or <see cref="TimeoutException"/>.
/// </summary>
public interface ISchemaRegistryClient
{
    /// <summary>Registers a schema under a subject (idempotent) and returns its global id. Cached by subject and schema.</summary>
    Task<int> RegisterSchemaAsync(string subject, string schema, CancellationToken cancellationToken = default);

    /// <summary>The version of a subject that holds this schema (40401/40403 when there is none). Cached.</summary>
    Task<RegisteredSchema> LookupSchemaAsync(string subject, string schema, CancellationToken cancellationToken = default);

    /// <summary>A schema by global id (40403 when unknown). Cached: ids never change meaning.</summary>
    Task<SchemaById> GetSchemaAsync(int id, CancellationToken cancellationToken = default);

    /// <summary>The latest version of a subject. Not cached: it changes when a version is registered.</summary>
    Task<RegisteredSchema> GetLatestSchemaAsync(string subject, CancellationToken cancellationToken = default);

    Task<RegisteredSchema> GetSchemaAsync(string subject, int version, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> GetSubjectsAsync(CancellationToken cancellationToken = default);

    Task<IReadOnlyList<int>> GetVersionsAsync(string subject, CancellationToken cancellationToken = default);

    /// <summary>Whether the subject's compatibility level accepts this schema after its latest version, with the reasons.</summary>
    Task<CompatibilityCheck> CheckCompatibilityAsync(string subject, string schema, CancellationToken cancellationToken = default);

    /// <summary>The level in force for a subject (its own, else the global one), or the global level for a null subject.</summary>
    Task<CompatibilityLevel> GetCompatibilityAsync(string? subject, CancellationToken cancellationToken = default);

    /// <summary>Sets the level of a subject, or the global level for a null subject.</summary>
    Task SetCompatibilityAsync(string? subject, CompatibilityLevel level, CancellationToken cancellationToken = default);

    /// <summary>Deletes a subject (soft, or permanently after a soft delete) and returns the versions deleted.</summary>
    Task<IReadOnlyList<int>> DeleteSubjectAsync(string subject, bool permanent = false, CancellationToken cancellationToken = default);
}
