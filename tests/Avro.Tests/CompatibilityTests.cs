namespace CinematicSwitch.Avro.Tests;

public sealed class CompatibilityTests
{
    // v1 → v2 adds a field with a default → v3 adds a field without one → v4 drops v1's field 'a' (no default).
    private static readonly Schema V1 = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"a","type":"string"}]}""");
    private static readonly Schema V2 = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"a","type":"string"},{"name":"b","type":"int","default":0}]}""");
    private static readonly Schema V3NoDefault = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"a","type":"string"},{"name":"b","type":"int","default":0},{"name":"c","type":"int"}]}""");
    private static readonly Schema V3Optional = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"a","type":"string"},{"name":"b","type":"int","default":0},{"name":"c","type":["null","int"],"default":null}]}""");

    [Fact]
    public void None_accepts_anything()
    {
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.None, Schema.Parse("\"int\""), [V1]).IsCompatible);
    }

    [Fact]
    public void A_first_version_is_always_compatible()
    {
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.FullTransitive, V1, []).IsCompatible);
    }

    [Fact]
    public void Backward_adding_a_field_with_a_default_is_compatible()
    {
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.Backward, V2, [V1]).IsCompatible);
    }

    [Fact]
    public void Backward_adding_a_field_without_a_default_is_not()
    {
        var result = SchemaCompatibility.Check(CompatibilityLevel.Backward, V3NoDefault, [V1, V2]);
        Assert.False(result.IsCompatible);
        Assert.Equal(["BACKWARD: the new schema cannot read data written with existing schema 2 of 2 (oldest first): /fields/2 reader field 'c' has no default and is missing from the writer record 'E'"],
            result.Messages);
    }

    [Fact]
    public void Forward_removing_a_field_without_a_default_is_not()
    {
        var withoutA = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"b","type":"int","default":0}]}""");
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.Backward, withoutA, [V2]).IsCompatible);
        var result = SchemaCompatibility.Check(CompatibilityLevel.Forward, withoutA, [V2]);
        Assert.Equal(["FORWARD: existing schema 1 of 1 (oldest first) cannot read data written with the new schema: /fields/0 reader field 'a' has no default and is missing from the writer record 'E'"],
            result.Messages);
    }

    [Fact]
    public void Forward_adding_a_field_without_default_is_compatible()
    {
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.Forward, V3NoDefault, [V2]).IsCompatible);
    }

    [Fact]
    public void Full_needs_both_directions()
    {
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.Full, V3Optional, [V2]).IsCompatible);
        var result = SchemaCompatibility.Check(CompatibilityLevel.Full, V3NoDefault, [V2]);
        Assert.False(result.IsCompatible);
        Assert.StartsWith("BACKWARD:", Assert.Single(result.Messages), StringComparison.Ordinal);
    }

    [Fact]
    public void Backward_transitive_catches_a_break_with_an_older_version_only()
    {
        // A required 'b' reads v2 (which writes b) but not v1 (which does not).
        var candidate = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"a","type":"string"},{"name":"b","type":"int"}]}""");
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.Backward, candidate, [V1, V2]).IsCompatible);
        var result = SchemaCompatibility.Check(CompatibilityLevel.BackwardTransitive, candidate, [V1, V2]);
        Assert.Equal(["BACKWARD: the new schema cannot read data written with existing schema 1 of 2 (oldest first): /fields/1 reader field 'b' has no default and is missing from the writer record 'E'"],
            result.Messages);
    }

    [Fact]
    public void Forward_transitive_catches_a_break_with_an_older_version_only()
    {
        // v1 has a required 'x'; v2 gave it a default. A candidate without 'x' is readable by v2, not by v1.
        var old = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"x","type":"int"}]}""");
        var latest = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"x","type":"int","default":1}]}""");
        var candidate = Schema.Parse("""{"type":"record","name":"E","fields":[]}""");
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.Forward, candidate, [old, latest]).IsCompatible);
        var result = SchemaCompatibility.Check(CompatibilityLevel.ForwardTransitive, candidate, [old, latest]);
        Assert.Equal(["FORWARD: existing schema 1 of 2 (oldest first) cannot read data written with the new schema: /fields/0 reader field 'x' has no default and is missing from the writer record 'E'"],
            result.Messages);
    }

    [Fact]
    public void Full_transitive_checks_both_directions_against_every_version()
    {
        var old = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"x","type":"int"}]}""");
        var latest = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"x","type":"int","default":1}]}""");
        var candidate = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"x","type":"int","default":2}]}""");
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.FullTransitive, candidate, [old, latest]).IsCompatible);
        var dropped = Schema.Parse("""{"type":"record","name":"E","fields":[]}""");
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.Full, dropped, [old, latest]).IsCompatible);
        var result = SchemaCompatibility.Check(CompatibilityLevel.FullTransitive, dropped, [old, latest]);
        Assert.Equal(["FORWARD: existing schema 1 of 2 (oldest first) cannot read data written with the new schema: /fields/0 reader field 'x' has no default and is missing from the writer record 'E'"],
            result.Messages);
    }

    [Fact]
    public void Enum_symbol_changes_follow_the_reader_default_rule()
    {
        var abc = Schema.Parse("""{"type":"enum","name":"K","symbols":["A","B","C"]}""");
        var ab = Schema.Parse("""{"type":"enum","name":"K","symbols":["A","B"]}""");
        var abWithDefault = Schema.Parse("""{"type":"enum","name":"K","symbols":["A","B"],"default":"A"}""");
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.Backward, abc, [ab]).IsCompatible);
        Assert.False(SchemaCompatibility.Check(CompatibilityLevel.Forward, abc, [ab]).IsCompatible);
        Assert.True(SchemaCompatibility.Check(CompatibilityLevel.Forward, abc, [abWithDefault]).IsCompatible);
    }

    [Fact]
    public void Type_changes_report_every_failing_field()
    {
        var writer = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"a","type":"string"},{"name":"b","type":"long"}]}""");
        var reader = Schema.Parse("""{"type":"record","name":"E","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"}]}""");
        Assert.Equal(["/fields/0/type reader type 'int' cannot read writer type 'string'", "/fields/1/type reader type 'int' cannot read writer type 'long'"],
            SchemaCompatibility.CanRead(reader, writer).Messages);
    }
}
