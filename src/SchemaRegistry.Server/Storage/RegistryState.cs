using Avro;
using CinematicSwitch.SchemaRegistry.Server.Api;
using CinematicSwitch.SchemaRegistry.Server.Rest;
using CompatibilityLevel = Confluent.SchemaRegistry.Compatibility;

namespace CinematicSwitch.SchemaRegistry.Server.Storage;

/// <summary>What a change decides: its answer and the records that make it durable (none when nothing changes).</summary>
internal readonly record struct Plan<T>(T Result, IReadOnlyList<RegistryRecord> Records);

/// <summary>
/// The registry's state, rebuilt from the schemas topic by <see cref="Apply"/>. Queries answer from it; changes
/// are planned against it (validation, compatibility, id and version assignment) as records, which are written
/// to the topic and then applied, so that the topic alone determines the state. Callers serialize changes;
/// a lock guards reads against concurrent applies.
/// </summary>
internal sealed class RegistryState(CompatibilityLevel defaultCompatibility)
{
    public const string ReadWrite = "READWRITE";
    public const string ReadOnly = "READONLY";
    private const string Avro = "AVRO";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SubjectState> _subjects = new(StringComparer.Ordinal);
    private readonly Dictionary<int, StoredSchema> _schemas = [];
    // Ids by the schemas' identities (Identity), so that another spelling of a stored schema finds its id.
    private readonly Dictionary<string, int> _idsByIdentity = new(StringComparer.Ordinal);
    private CompatibilityLevel? _globalCompatibility;
    private string? _globalMode;

    /// <summary>The highest id ever seen, so that ids are never reused.</summary>
    public int MaxId { get; private set; }

    public int SchemaCount
    {
        get
        {
            lock (_gate)
            {
                return _schemas.Count;
            }
        }
    }

    // ---- applying records -----------------------------------------------------------------------------------

    /// <exception cref="InvalidDataException">The record holds a schema that does not parse.</exception>
    public void Apply(RegistryRecord record)
    {
        lock (_gate)
        {
            switch (record)
            {
                case SchemaVersionRecord { Value: { } value } version:
                    Reference(value.Id, value.Schema);
                    var subject = SubjectOf(version.Subject);
                    if (subject.Versions.TryGetValue(version.Version, out var previous))
                    {
                        Unreference(previous.Id);
                    }

                    subject.Versions[version.Version] = new VersionEntry(version.Version, value.Id, value.Deleted);
                    MaxId = Math.Max(MaxId, value.Id);
                    break;
                case SchemaVersionRecord version:
                    if (_subjects.TryGetValue(version.Subject, out var owner) && owner.Versions.Remove(version.Version, out var removed))
                    {
                        Unreference(removed.Id);
                    }

                    break;
                case ConfigRecord { Subject: null } config:
                    _globalCompatibility = config.Compatibility is null ? null : CompatibilityLevels.Parse(config.Compatibility);
                    break;
                case ConfigRecord { Subject: { } configured } config:
                    SubjectOf(configured).Compatibility = config.Compatibility is null ? null : CompatibilityLevels.Parse(config.Compatibility);
                    break;
                case ModeRecord { Subject: null } mode:
                    _globalMode = mode.Mode;
                    break;
                case ModeRecord { Subject: { } configured } mode:
                    SubjectOf(configured).Mode = mode.Mode;
                    break;
            }
        }
    }

    // ---- queries --------------------------------------------------------------------------------------------

    public List<string> Subjects(bool includeDeleted, string? prefix)
    {
        lock (_gate)
        {
            return _subjects
                .Where(s => s.Value.Visible(includeDeleted).Any() && (prefix is null || s.Key.StartsWith(prefix, StringComparison.Ordinal)))
                .Select(s => s.Key)
                .Order(StringComparer.Ordinal)
                .ToList();
        }
    }

    public List<int> Versions(string subject, bool includeDeleted)
    {
        lock (_gate)
        {
            return ExistingSubject(subject, includeDeleted).Visible(includeDeleted).Select(v => v.Version).ToList();
        }
    }

    public SubjectSchemaResponse Version(string subject, string version, bool includeDeleted)
    {
        lock (_gate)
        {
            return Describe(subject, FindVersion(subject, version, includeDeleted));
        }
    }

    public SchemaByIdResponse SchemaById(int id)
    {
        lock (_gate)
        {
            var schema = _schemas.GetValueOrDefault(id) ?? throw RegistryError.SchemaNotFound(id);
            return new SchemaByIdResponse(schema.Text);
        }
    }

    public List<SubjectVersion> UsesOf(int id, bool includeDeleted)
    {
        lock (_gate)
        {
            if (!_schemas.ContainsKey(id))
            {
                throw RegistryError.SchemaNotFound(id);
            }

            return _subjects
                .OrderBy(s => s.Key, StringComparer.Ordinal)
                .SelectMany(s => s.Value.Visible(includeDeleted).Where(v => v.Id == id).Select(v => new SubjectVersion(s.Key, v.Version)))
                .ToList();
        }
    }

    /// <summary>The version of <paramref name="subject"/> holding the schema (the latest such version).</summary>
    public SubjectSchemaResponse Lookup(string subject, SchemaRequest request, bool includeDeleted)
    {
        var (_, identity) = ParseCandidate(request);
        lock (_gate)
        {
            var versions = ExistingSubject(subject, includeDeleted).Visible(includeDeleted);
            var match = _idsByIdentity.TryGetValue(identity, out var id) ? versions.LastOrDefault(v => v.Id == id) : null;
            return match is null ? throw RegistryError.SchemaNotFound() : Describe(subject, match);
        }
    }

    /// <summary>Checks a schema against one version (<paramref name="version"/>) or every live version (null) of a subject.</summary>
    public CompatibilityResponse CheckCompatibility(string subject, string? version, SchemaRequest request, bool verbose)
    {
        var (candidate, _) = ParseCandidate(request);
        lock (_gate)
        {
            var level = EffectiveCompatibility(subject);
            List<VersionEntry> against;
            if (version is null)
            {
                against = _subjects.TryGetValue(subject, out var state) ? state.Visible(includeDeleted: false).ToList() : [];
            }
            else
            {
                against = [FindVersion(subject, version, includeDeleted: false)];
                level = NonTransitive(level);
            }

            var problems = Check(level, candidate, against);
            return new CompatibilityResponse(problems.Count == 0, verbose ? Details(problems, level, against) : null);
        }
    }

    public string Compatibility(string? subject, bool defaultToGlobal)
    {
        lock (_gate)
        {
            if (subject is null)
            {
                return CompatibilityLevels.ToName(_globalCompatibility ?? defaultCompatibility);
            }

            var own = _subjects.GetValueOrDefault(subject)?.Compatibility;
            return own is not null ? CompatibilityLevels.ToName(own.Value)
                : defaultToGlobal ? CompatibilityLevels.ToName(_globalCompatibility ?? defaultCompatibility)
                : throw RegistryError.CompatibilityNotConfigured(subject);
        }
    }

    public string Mode(string? subject, bool defaultToGlobal)
    {
        lock (_gate)
        {
            if (subject is null)
            {
                return _globalMode ?? ReadWrite;
            }

            var own = _subjects.GetValueOrDefault(subject)?.Mode;
            return own ?? (defaultToGlobal ? _globalMode ?? ReadWrite : throw RegistryError.ModeNotConfigured(subject));
        }
    }

    // ---- planning changes -----------------------------------------------------------------------------------

    /// <summary>
    /// A registration: the existing id when the subject already holds the schema (idempotent, no record);
    /// otherwise a new version, checked against the subject's compatibility level, with the schema's id if any
    /// subject has it and the next id if not.
    /// </summary>
    public Plan<int> Register(string subject, SchemaRequest request)
    {
        var (candidate, identity) = ParseCandidate(request);
        lock (_gate)
        {
            RequireWritable(subject);
            var state = _subjects.GetValueOrDefault(subject);
            var live = state?.Visible(includeDeleted: false).ToList() ?? [];
            if (_idsByIdentity.TryGetValue(identity, out var knownId) && live.Any(v => v.Id == knownId))
            {
                return new Plan<int>(knownId, []);
            }

            var level = EffectiveCompatibility(subject);
            var problems = Check(level, candidate, live);
            if (problems.Count > 0)
            {
                throw RegistryError.Incompatible(subject, Details(problems, level, live));
            }

            // A schema known under another id keeps it; its stored text is then that id's.
            var (id, text) = _idsByIdentity.TryGetValue(identity, out var existing) ? (existing, _schemas[existing].Text) : (MaxId + 1, identity);
            var version = (state?.Versions.Count > 0 ? state.Versions.Keys.Max() : 0) + 1;
            return new Plan<int>(id, [new SchemaVersionRecord(subject, version, new SchemaVersionValue(subject, version, id, Avro, text, false))]);
        }
    }

    /// <summary>Soft-deletes every live version, or permanently removes a soft-deleted subject.</summary>
    public Plan<List<int>> DeleteSubject(string subject, bool permanent)
    {
        lock (_gate)
        {
            RequireWritable(subject);
            var state = _subjects.GetValueOrDefault(subject);
            if (state is null || state.Versions.Count == 0)
            {
                throw RegistryError.SubjectNotFound(subject);
            }

            var live = state.Visible(includeDeleted: false).ToList();
            if (permanent)
            {
                if (live.Count > 0)
                {
                    throw RegistryError.SubjectNotSoftDeleted(subject);
                }

                var all = state.Versions.Values.ToList();
                var records = all.Select(v => (RegistryRecord)new SchemaVersionRecord(subject, v.Version, null)).ToList();
                // A subject deleted for good takes its settings with it.
                if (state.Compatibility is not null)
                {
                    records.Add(new ConfigRecord(subject, null));
                }

                if (state.Mode is not null)
                {
                    records.Add(new ModeRecord(subject, null));
                }

                return new Plan<List<int>>(all.Select(v => v.Version).ToList(), records);
            }

            if (live.Count == 0)
            {
                throw RegistryError.SubjectSoftDeleted(subject);
            }

            return new Plan<List<int>>(live.Select(v => v.Version).ToList(), live.Select(v => SoftDeleted(subject, v)).ToList());
        }
    }

    public Plan<int> DeleteVersion(string subject, string version, bool permanent)
    {
        lock (_gate)
        {
            RequireWritable(subject);
            var entry = FindVersion(subject, version, includeDeleted: permanent);
            if (permanent)
            {
                return entry.Deleted
                    ? new Plan<int>(entry.Version, [new SchemaVersionRecord(subject, entry.Version, null)])
                    : throw RegistryError.VersionNotSoftDeleted(subject, entry.Version);
            }

            return new Plan<int>(entry.Version, [SoftDeleted(subject, entry)]);
        }
    }

    public static Plan<string> SetCompatibility(string? subject, string? level)
    {
        if (!CompatibilityLevels.TryParse(level, out var parsed))
        {
            throw RegistryError.InvalidCompatibility();
        }

        var name = CompatibilityLevels.ToName(parsed);
        return new Plan<string>(name, [new ConfigRecord(subject, name)]);
    }

    /// <summary>Removes a subject's level (answering the old one), or resets the global level to the default.</summary>
    public Plan<string> DeleteCompatibility(string? subject) =>
        new(Compatibility(subject, defaultToGlobal: false), [new ConfigRecord(subject, null)]);

    public static Plan<string> SetMode(string? subject, string? mode)
    {
        var name = mode?.ToUpperInvariant();
        return name is ReadWrite or ReadOnly
            ? new Plan<string>(name, [new ModeRecord(subject, name)])
            : throw RegistryError.InvalidMode(mode);
    }

    public Plan<string> DeleteMode(string? subject) => new(Mode(subject, defaultToGlobal: false), [new ModeRecord(subject, null)]);

    // ---- helpers --------------------------------------------------------------------------------------------

    private static (Schema Schema, string Identity) ParseCandidate(SchemaRequest request)
    {
        if (request.SchemaType is { } type && !string.Equals(type, Avro, StringComparison.OrdinalIgnoreCase))
        {
            throw RegistryError.InvalidSchema($"Invalid schema type {type}: this registry supports AVRO only");
        }

        if (request.References is { Count: > 0 })
        {
            throw RegistryError.InvalidSchema("Invalid schema: schema references are not supported by this registry");
        }

        if (string.IsNullOrWhiteSpace(request.Schema))
        {
            throw RegistryError.InvalidSchema("Invalid schema: the request has no schema");
        }

        try
        {
            var schema = Schema.Parse(request.Schema);
            return (schema, Identity(schema));
        }
        catch (Exception e) when (e is AvroException or Newtonsoft.Json.JsonException)
        {
            throw RegistryError.InvalidSchema($"Invalid schema: {e.Message}");
        }
    }

    /// <summary>
    /// What identifies a schema: Apache.Avro's full JSON form of it. Whitespace, key order and how a named type is
    /// referred to do not make a new id; docs, defaults and aliases do (unlike the parsing canonical form).
    /// </summary>
    private static string Identity(Schema schema) => schema.ToString();

    private IReadOnlyList<string> Check(CompatibilityLevel level, Schema candidate, List<VersionEntry> against) =>
        AvroCompatibility.Check(level, candidate, against.Select(v => _schemas[v.Id].Parsed).ToList());

    private static List<string> Details(IReadOnlyList<string> problems, CompatibilityLevel level, List<VersionEntry> against)
    {
        var details = problems.Select(m => $"{{description:'{m}'}}").ToList();
        if (problems.Count > 0 && against.Count > 0)
        {
            details.Add($"{{oldSchemaVersion: {against[^1].Version}}}");
        }

        details.Add($"{{compatibility: '{CompatibilityLevels.ToName(level)}'}}");
        return details;
    }

    private static CompatibilityLevel NonTransitive(CompatibilityLevel level) => level switch
    {
        CompatibilityLevel.BackwardTransitive => CompatibilityLevel.Backward,
        CompatibilityLevel.ForwardTransitive => CompatibilityLevel.Forward,
        CompatibilityLevel.FullTransitive => CompatibilityLevel.Full,
        _ => level,
    };

    private CompatibilityLevel EffectiveCompatibility(string subject) =>
        _subjects.GetValueOrDefault(subject)?.Compatibility ?? _globalCompatibility ?? defaultCompatibility;

    private void RequireWritable(string subject)
    {
        if ((_subjects.GetValueOrDefault(subject)?.Mode ?? _globalMode) == ReadOnly)
        {
            throw RegistryError.ReadOnly(subject);
        }
    }

    private SchemaVersionRecord SoftDeleted(string subject, VersionEntry entry) =>
        new(subject, entry.Version, new SchemaVersionValue(subject, entry.Version, entry.Id, Avro, _schemas[entry.Id].Text, true));

    private SubjectState ExistingSubject(string subject, bool includeDeleted) =>
        _subjects.TryGetValue(subject, out var state) && state.Visible(includeDeleted).Any() ? state : throw RegistryError.SubjectNotFound(subject);

    private VersionEntry FindVersion(string subject, string version, bool includeDeleted)
    {
        var state = ExistingSubject(subject, includeDeleted);
        if (version is "latest" or "-1")
        {
            return state.Visible(includeDeleted).Last();
        }

        if (!int.TryParse(version, System.Globalization.NumberStyles.None, null, out var number) || number < 1)
        {
            throw RegistryError.InvalidVersion(version);
        }

        return state.Versions.TryGetValue(number, out var entry) && (includeDeleted || !entry.Deleted)
            ? entry
            : throw RegistryError.VersionNotFound(number);
    }

    private SubjectSchemaResponse Describe(string subject, VersionEntry entry) => new(subject, entry.Version, entry.Id, _schemas[entry.Id].Text);

    private SubjectState SubjectOf(string subject)
    {
        if (!_subjects.TryGetValue(subject, out var state))
        {
            state = new SubjectState();
            _subjects[subject] = state;
        }

        return state;
    }

    private StoredSchema Reference(int id, string text)
    {
        if (!_schemas.TryGetValue(id, out var stored))
        {
            Schema parsed;
            try
            {
                parsed = Schema.Parse(text);
            }
            catch (AvroException e)
            {
                throw new InvalidDataException($"schema id {id} in the log does not parse: {e.Message}", e);
            }

            stored = new StoredSchema(text, parsed);
            _schemas[id] = stored;
            _idsByIdentity[Identity(parsed)] = id;
        }

        stored.References++;
        return stored;
    }

    private void Unreference(int id)
    {
        if (_schemas.TryGetValue(id, out var stored) && --stored.References == 0)
        {
            _schemas.Remove(id);
            _idsByIdentity.Remove(Identity(stored.Parsed));
        }
    }

    private sealed class StoredSchema(string text, Schema parsed)
    {
        public string Text { get; } = text;
        public Schema Parsed { get; } = parsed;
        public int References { get; set; }
    }

    private sealed record VersionEntry(int Version, int Id, bool Deleted);

    private sealed class SubjectState
    {
        public SortedDictionary<int, VersionEntry> Versions { get; } = [];
        public CompatibilityLevel? Compatibility { get; set; }
        public string? Mode { get; set; }

        public IEnumerable<VersionEntry> Visible(bool includeDeleted) => Versions.Values.Where(v => includeDeleted || !v.Deleted);
    }
}
