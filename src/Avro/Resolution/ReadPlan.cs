namespace CinematicSwitch.Avro.Resolution;

/// <summary>
/// How to read data written with <see cref="Writer"/> into the shape of <see cref="Reader"/>: the schema
/// resolution rules of the specification, decided once per (reader, writer) pair and then followed by the
/// generic and the typed decoders alike.
/// </summary>
internal abstract class ReadPlan(Schema reader, Schema writer)
{
    public Schema Reader { get; } = reader;
    public Schema Writer { get; } = writer;
}

/// <summary>Two primitives of the same type, or a promotion (int to long, float or double; long to float or
/// double; float to double; string to bytes and back).</summary>
internal sealed class PrimitivePlan(Schema reader, Schema writer) : ReadPlan(reader, writer);

/// <summary>One writer field: read into <see cref="ReaderField"/> with <see cref="Plan"/>, or skipped when the
/// reader has no such field.</summary>
internal readonly record struct RecordStep(Field WriterField, Field? ReaderField, ReadPlan? Plan);

internal sealed class RecordPlan(RecordSchema reader, RecordSchema writer) : ReadPlan(reader, writer)
{
    public new RecordSchema Reader => (RecordSchema)base.Reader;

    /// <summary>The writer's fields, in the order they were written.</summary>
    public IReadOnlyList<RecordStep> Steps { get; set; } = [];

    /// <summary>Reader fields the writer did not have: they take their defaults.</summary>
    public IReadOnlyList<Field> Defaults { get; set; } = [];

    /// <summary>Set when a reader field has neither a writer field nor a default: reading such a record fails.</summary>
    public string? Failure { get; set; }
}

internal sealed class EnumPlan(EnumSchema reader, EnumSchema writer, int[] readerOrdinals, string?[] errors) : ReadPlan(reader, writer)
{
    /// <summary>For each writer ordinal the reader ordinal, or -1 when the symbol is unknown to the reader.</summary>
    public int[] ReaderOrdinals { get; } = readerOrdinals;

    /// <summary>For each writer ordinal without a reader ordinal, the error to raise when it is read.</summary>
    public string?[] Errors { get; } = errors;
}

internal sealed class FixedPlan(FixedSchema reader, FixedSchema writer) : ReadPlan(reader, writer);

internal sealed class ArrayPlan(Schema reader, Schema writer, ReadPlan items) : ReadPlan(reader, writer)
{
    public ReadPlan Items { get; } = items;
}

internal sealed class MapPlan(Schema reader, Schema writer, ReadPlan values) : ReadPlan(reader, writer)
{
    public ReadPlan Values { get; } = values;
}

/// <summary>The writer wrote a union: the branch index comes first, then each branch has its own plan.</summary>
internal sealed class WriterUnionPlan(Schema reader, UnionSchema writer, ReadPlan[] branches) : ReadPlan(reader, writer)
{
    public ReadPlan[] Branches { get; } = branches;
}

/// <summary>The reader has a union, the writer does not: the value goes to reader branch <see cref="Branch"/>.</summary>
internal sealed class ReaderUnionPlan(UnionSchema reader, Schema writer, int branch, ReadPlan inner) : ReadPlan(reader, writer)
{
    public int Branch { get; } = branch;
    public ReadPlan Inner { get; } = inner;
}

/// <summary>Data the reader cannot read; raised only if such data is met (for example one writer union branch).</summary>
internal sealed class ErrorPlan(Schema reader, Schema writer, string message) : ReadPlan(reader, writer)
{
    public string Message { get; } = message;
}

/// <summary>The outcome of resolving a reader against a writer.</summary>
internal sealed record Resolution(ReadPlan Plan, IReadOnlyList<string> Errors, bool IsFatal)
{
    /// <summary>The plan, unless an error would hit every datum (errors in single union branches or enum symbols
    /// only hit the data that use them, as in the Java implementation).</summary>
    public ReadPlan PlanOrThrow() => IsFatal
        ? throw new AvroResolutionException(
            $"Reader schema {Plan.Reader.DisplayName} cannot read data written with writer schema {Plan.Writer.DisplayName}: {string.Join("; ", Errors)}")
        : Plan;
}
