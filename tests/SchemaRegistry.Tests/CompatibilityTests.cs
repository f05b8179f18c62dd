using Avro;
using Level = Confluent.SchemaRegistry.Compatibility;

namespace CinematicSwitch.SchemaRegistry.Tests;

/// <summary>
/// The compatibility rules the development registry enforces (and the deserializers use to tell an incompatible
/// schema from a damaged value), where Apache.Avro's own <c>Schema.CanRead</c> gets them wrong or says nothing.
/// </summary>
public sealed class CompatibilityTests
{
    [Fact]
    public void A_union_branch_that_changes_type_cannot_be_read_though_Apache_Avro_says_it_can()
    {
        var writer = Record("""{"name":"n","type":["null","string"],"default":null}""");
        var reader = Record("""{"name":"n","type":["null","long"],"default":null}""");

        Assert.True(reader.CanRead(writer));
        var problem = Assert.Single(AvroCompatibility.ReadProblems(reader, writer));
        Assert.Equal("/fields/0/type reader union [null, long] has no branch that can read writer type 'string' (writer union branch 1)", problem);
    }

    [Fact]
    public void Enum_symbols_the_reader_lacks_need_a_reader_default()
    {
        var writer = Record("""{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}}""");
        var reader = Record("""{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}""");
        var withDefault = Record("""{"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}}""");

        Assert.True(reader.CanRead(writer));
        Assert.Contains("has symbols [C] that reader enum 'test.E' lacks", Assert.Single(AvroCompatibility.ReadProblems(reader, writer)), StringComparison.Ordinal);
        Assert.Empty(AvroCompatibility.ReadProblems(withDefault, writer));
    }

    [Fact]
    public void Logical_types_resolve_as_their_underlying_types_and_strings_and_bytes_promote()
    {
        var timestamp = Record("""{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}""");
        var plainLong = Record("""{"name":"t","type":"long"}""");
        var text = Record("""{"name":"t","type":"string"}""");
        var bytes = Record("""{"name":"t","type":"bytes"}""");

        Assert.False(plainLong.CanRead(timestamp));
        Assert.Empty(AvroCompatibility.ReadProblems(plainLong, timestamp));
        Assert.Empty(AvroCompatibility.ReadProblems(timestamp, plainLong));
        Assert.False(bytes.CanRead(text));
        Assert.Empty(AvroCompatibility.ReadProblems(bytes, text));
        Assert.Single(AvroCompatibility.ReadProblems(plainLong, text));
    }

    [Fact]
    public void A_reader_field_without_default_must_be_written_and_aliases_name_renamed_types_and_fields()
    {
        Assert.Equal("/fields/2 reader field 'phone' has no default and is missing from the writer record 'test.people.Person'",
            Assert.Single(AvroCompatibility.ReadProblems(Schema.Parse(TestSchemas.PersonV3), TestSchemas.V1)));

        var renamed = Schema.Parse("""
            {"type":"record","name":"Human","namespace":"test.people","aliases":["Person"],"fields":[
              {"name":"id","type":{"type":"string","logicalType":"uuid"}},
              {"name":"full_name","aliases":["name"],"type":"string"}]}
            """);
        Assert.Empty(AvroCompatibility.ReadProblems(renamed, TestSchemas.V1));
        Assert.NotEmpty(AvroCompatibility.ReadProblems(TestSchemas.V1, renamed));
    }

    [Theory]
    [InlineData(Level.Backward, "PersonV3", false)]
    [InlineData(Level.Forward, "PersonV3", true)]
    [InlineData(Level.Full, "PersonV3", false)]
    [InlineData(Level.Backward, "PersonV2", true)]
    [InlineData(Level.Full, "PersonV2", true)]
    [InlineData(Level.None, "PersonNameAsNumber", true)]
    [InlineData(Level.Forward, "PersonNameAsNumber", false)]
    public void Levels_check_the_candidate_against_the_latest_version(Level level, string candidate, bool compatible)
    {
        var problems = AvroCompatibility.Check(level, Parse(candidate), [TestSchemas.V2, TestSchemas.V1]);

        Assert.Equal(compatible, problems.Count == 0);
    }

    [Fact]
    public void Transitive_levels_check_every_version()
    {
        // V2 then V1 again: the latest is V1, which PersonV3 cannot read as the BACKWARD levels need; V2 is readable.
        var history = new[] { TestSchemas.V2, TestSchemas.V1 };
        var narrowed = Schema.Parse("""
            {"type":"record","name":"Person","namespace":"test.people","fields":[
              {"name":"id","type":{"type":"string","logicalType":"uuid"}},
              {"name":"name","type":"string"},
              {"name":"email","type":"string"}]}
            """);

        Assert.NotEmpty(AvroCompatibility.Check(Level.Backward, narrowed, history));
        Assert.Empty(AvroCompatibility.Check(Level.Backward, narrowed, [TestSchemas.V1, TestSchemas.V2]));
        var transitive = AvroCompatibility.Check(Level.BackwardTransitive, narrowed, [TestSchemas.V1, TestSchemas.V2]);
        Assert.Contains(transitive, p => p.StartsWith("BACKWARD: the new schema cannot read data written with existing schema 1 of 2", StringComparison.Ordinal));
    }

    private static RecordSchema Record(string field) =>
        (RecordSchema)Schema.Parse($$"""{"type":"record","name":"R","namespace":"test","fields":[{{field}}]}""");

    private static Schema Parse(string name) => Schema.Parse(name switch
    {
        "PersonV2" => TestSchemas.PersonV2,
        "PersonV3" => TestSchemas.PersonV3,
        _ => TestSchemas.PersonNameAsNumber,
    });
}
