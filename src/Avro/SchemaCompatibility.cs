using CinematicSwitch.Avro.Resolution;

namespace CinematicSwitch.Avro;

/// <summary>The compatibility levels of a schema registry subject.</summary>
public enum CompatibilityLevel
{
    None,
    Backward,
    BackwardTransitive,
    Forward,
    ForwardTransitive,
    Full,
    FullTransitive,
}

/// <summary>The outcome of a compatibility check; <see cref="Messages"/> name each failed rule and its location.</summary>
public sealed record CompatibilityResult(bool IsCompatible, IReadOnlyList<string> Messages)
{
    public static CompatibilityResult Compatible { get; } = new(true, []);
}

/// <summary>Compatibility checks built on the specification's schema resolution rules.</summary>
public static class SchemaCompatibility
{
    /// <summary>
    /// Whether data written with <paramref name="writer"/> can always be read with <paramref name="reader"/>.
    /// Every failing rule is reported, including writer enum symbols the reader lacks (without a reader default)
    /// and writer union branches the reader cannot take. Locations are JSON pointers into the reader schema.
    /// </summary>
    public static CompatibilityResult CanRead(Schema reader, Schema writer)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(writer);
        var resolution = Resolver.Resolve(reader, writer);
        return resolution.Errors.Count == 0 ? CompatibilityResult.Compatible : new CompatibilityResult(false, resolution.Errors);
    }

    /// <summary>
    /// Checks a candidate schema against a subject's existing versions (oldest first): BACKWARD means the candidate
    /// can read the latest version, FORWARD that the latest can read the candidate, FULL both; the transitive levels
    /// check every existing version instead of the latest only. NONE accepts everything.
    /// </summary>
    public static CompatibilityResult Check(CompatibilityLevel level, Schema candidate, IReadOnlyList<Schema> existingOldestFirst)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(existingOldestFirst);
        if (level == CompatibilityLevel.None || existingOldestFirst.Count == 0)
        {
            return CompatibilityResult.Compatible;
        }

        var transitive = level is CompatibilityLevel.BackwardTransitive or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.FullTransitive;
        var backward = level is CompatibilityLevel.Backward or CompatibilityLevel.BackwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;
        var forward = level is CompatibilityLevel.Forward or CompatibilityLevel.ForwardTransitive or CompatibilityLevel.Full or CompatibilityLevel.FullTransitive;

        var messages = new List<string>();
        var count = existingOldestFirst.Count;
        for (var i = transitive ? 0 : count - 1; i < count; i++)
        {
            var existing = existingOldestFirst[i];
            var label = $"existing schema {i + 1} of {count} (oldest first)";
            if (backward)
            {
                Collect(messages, CanRead(candidate, existing), $"BACKWARD: the new schema cannot read data written with {label}: ");
            }

            if (forward)
            {
                Collect(messages, CanRead(existing, candidate), $"FORWARD: {label} cannot read data written with the new schema: ");
            }
        }

        return messages.Count == 0 ? CompatibilityResult.Compatible : new CompatibilityResult(false, messages);
    }

    private static void Collect(List<string> messages, CompatibilityResult result, string prefix) =>
        messages.AddRange(result.Messages.Select(m => prefix + m));
}
