using CinematicSwitch.Avro;
using CinematicSwitch.SchemaRegistry;

namespace CinematicSwitch.Contracts.Benchmarks;

/// <summary>
/// A registry that knows one schema under id 1. Serializers and deserializers ask a registry only until they have
/// a subject's id or an id's schema; the benchmark measures what follows, so no HTTP is involved in it.
/// </summary>
internal sealed class CachedRegistry(Schema schema) : ISchemaRegistryClient
{
    public const int Id = 1;

    public Task<int> RegisterSchemaAsync(string subject, string schema, CancellationToken cancellationToken = default) => Task.FromResult(Id);

    public Task<SchemaById> GetSchemaAsync(int id, CancellationToken cancellationToken = default) =>
        Task.FromResult(new SchemaById(Id, schema.ToJson(), "AVRO"));

    public Task<RegisteredSchema> LookupSchemaAsync(string subject, string schema, CancellationToken cancellationToken = default) => throw Unused();

    public Task<RegisteredSchema> GetLatestSchemaAsync(string subject, CancellationToken cancellationToken = default) => throw Unused();

    public Task<RegisteredSchema> GetSchemaAsync(string subject, int version, CancellationToken cancellationToken = default) => throw Unused();

    public Task<IReadOnlyList<string>> GetSubjectsAsync(CancellationToken cancellationToken = default) => throw Unused();

    public Task<IReadOnlyList<int>> GetVersionsAsync(string subject, CancellationToken cancellationToken = default) => throw Unused();

    public Task<CompatibilityCheck> CheckCompatibilityAsync(string subject, string schema, CancellationToken cancellationToken = default) => throw Unused();

    public Task<CompatibilityLevel> GetCompatibilityAsync(string? subject, CancellationToken cancellationToken = default) => throw Unused();

    public Task SetCompatibilityAsync(string? subject, CompatibilityLevel level, CancellationToken cancellationToken = default) => throw Unused();

    public Task<IReadOnlyList<int>> DeleteSubjectAsync(string subject, bool permanent = false, CancellationToken cancellationToken = default) => throw Unused();

    private static NotSupportedException Unused() => new("The benchmark registers and reads by id only.");
}
