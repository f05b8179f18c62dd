using System.Reflection;
using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Avro.IO;
using Avro.Specific;
using CinematicSwitch.Contracts.Events;
using Records = io.cinematicswitch.events;

namespace CinematicSwitch.Contracts.Tests;

/// <summary>
/// The one mapping between the typed records and Avro (Contracts, Records/), field by field against every schema:
/// what the specific records write is what the schemas say the typed values are (checked through Apache.Avro's generic
/// reader and <see cref="GenericOracle"/>), what they read back is the typed value, and defaults, unknown symbols and
/// logical types behave as the schemas say.
/// </summary>
public sealed class AvroMappingTests
{
    public static TheoryData<string> EventTypes => [.. EventSchemas.EventTypes.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Specific_records_write_every_field_as_the_schema_says(string eventType) => Invoke(nameof(Write), eventType);

    [Theory]
    [MemberData(nameof(EventTypes))]
    public void Specific_records_read_every_field_as_the_schema_says(string eventType) => Invoke(nameof(Read), eventType);

    [Fact]
    public void Every_enum_member_is_the_schema_symbol_at_its_ordinal()
    {
        var enums = EventSchemas.EventTypes.SelectMany(t => SchemaDriftTests.NamedTypes(EventSchemas.For(t))).OfType<EnumSchema>()
            .DistinctBy(e => e.Fullname).ToList();
        Assert.Equal(6, enums.Count);
        foreach (var schema in enums)
        {
            var typed = typeof(ICinematicEvent).Assembly.GetType($"CinematicSwitch.Contracts.Events.{schema.Name}")!;
            var specific = typeof(EventSchemas).Assembly.GetType(schema.Fullname)!;
            Assert.Equal(schema.Symbols, Enum.GetNames(specific));
            Assert.Equal(schema.Symbols, Enum.GetNames(typed).Select(GenericOracle.Symbol));
            Assert.Equal(Enumerable.Range(0, schema.Symbols.Count), Enum.GetValues(typed).Cast<object>().Select(Convert.ToInt32));
            Assert.Equal("UNKNOWN", schema.Default);
        }
    }

    [Fact]
    public void Fields_an_older_writer_lacks_take_the_reader_schemas_defaults()
    {
        // An older TransformationRequested: every field with a default left out, but for video, whose record kept one field.
        var older = JsonNode.Parse(EventSchemas.JsonFor(typeof(TransformationRequested)))!.AsObject();
        var fields = older["fields"]!.AsArray();
        foreach (var field in fields.Where(f => f!.AsObject().ContainsKey("default") && (string)f!["name"]! != "video").ToList())
        {
            fields.Remove(field);
        }

        var videoRecord = fields.Single(f => (string)f!["name"]! == "video")!["type"]![1]!.AsObject();
        var videoFields = videoRecord["fields"]!.AsArray();
        foreach (var field in videoFields.Where(f => (string)f!["name"]! != "camera_motion").ToList())
        {
            videoFields.Remove(field);
        }

        var writer = (RecordSchema)Schema.Parse(older.ToJsonString());
        Assert.DoesNotContain(writer.Fields, f => f.Name is "task" or "output_count" or "aspect_ratio" or "provider" or "replay" or "media");
        var sample = EventSamples.FullRequest();
        var full = (GenericRecord)GenericOracle.ToGeneric(EventSchemas.For<TransformationRequested>(), sample)!;
        var value = new GenericRecord(writer);
        foreach (var field in writer.Fields.Where(f => f.Name != "video"))
        {
            value.Add(field.Name, full[field.Name]);
        }

        var video = new GenericRecord((RecordSchema)((UnionSchema)writer["video"].Schema).Schemas[1]);
        video.Add("camera_motion", "orbit");
        value.Add("video", video);

        var read = ReadAs<Records.TransformationRequested>(writer, value).ToValue();

        var expected = sample with
        {
            Task = TransformationTask.Unknown,
            Media = null,
            StylePreset = null,
            Prompt = null,
            OutputCount = 1,
            AspectRatio = "original",
            Video = new VideoOptions(5, SeamlessLoop: false, Seed: null, CameraMotion: "orbit"),
            Provider = null,
            Replay = null,
        };
        Assert.True(FieldComparison.AssertSameFields(expected, read, "older request") > 15);
    }

    [Fact]
    public void A_defaulted_map_reads_empty_from_an_older_writer()
    {
        var older = JsonNode.Parse(EventSchemas.JsonFor(typeof(TransformationFailed)))!.AsObject();
        var error = older["fields"]!.AsArray().Single(f => (string)f!["name"]! == "error")!["type"]!.AsObject();
        var details = error["fields"]!.AsArray().Single(f => (string)f!["name"]! == "details");
        error["fields"]!.AsArray().Remove(details);
        var writer = (RecordSchema)Schema.Parse(older.ToJsonString());
        var sample = EventSamples.For(typeof(TransformationFailed)).Cast<TransformationFailed>().First();
        Assert.NotEmpty(sample.Error.Details);

        var value = (GenericRecord)GenericOracle.ToGeneric(writer, sample)!;
        var read = ReadAs<Records.TransformationFailed>(writer, value).ToValue();

        Assert.Empty(read.Error.Details);
        Assert.True(FieldComparison.AssertSameFields(sample with { Error = sample.Error with { Details = new Dictionary<string, string>() } }, read, "older failure") > 8);
    }

    [Fact]
    public void A_symbol_the_reader_does_not_know_reads_as_the_enums_default()
    {
        var newer = JsonNode.Parse(EventSchemas.JsonFor(typeof(TransformationStarted)))!.AsObject();
        var provider = newer["fields"]!.AsArray().Single(f => (string)f!["name"]! == "provider")!["type"]!.AsObject();
        provider["symbols"]!.AsArray().Add("SORA");
        var writer = (RecordSchema)Schema.Parse(newer.ToJsonString());
        var sample = EventSamples.For(typeof(TransformationStarted)).Cast<TransformationStarted>().First();
        var value = (GenericRecord)GenericOracle.ToGeneric(writer, sample)!;
        value.Add("provider", new GenericEnum((EnumSchema)writer["provider"].Schema, "SORA"));

        var read = ReadAs<Records.TransformationStarted>(writer, value).ToValue();

        Assert.Equal(Provider.Unknown, read.Provider);
        Assert.Equal(sample with { Provider = Provider.Unknown }, read);
    }

    [Theory]
    [InlineData("0.00001", "cannot hold more than 4 decimal places")]
    [InlineData("100000000000000", "holds less than 100000000000000 in magnitude")]
    [InlineData("-100000000000000", "holds less than 100000000000000 in magnitude")]
    [InlineData("-3.14159", "cannot hold more than 4 decimal places")]
    public void Amounts_a_decimal_18_4_cannot_hold_are_refused_not_rounded(string amount, string expected)
    {
        var sample = EventSamples.For(typeof(CreditsRecorded)).Cast<CreditsRecorded>().First() with
        {
            Credits = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture),
        };

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Records.CreditsRecorded.From(sample));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Amounts_keep_their_value_whatever_their_scale()
    {
        foreach (var credits in new[] { 0m, 1m, 12.5m, 12.5000m, -0.0001m, 99_999_999_999_999.9999m })
        {
            var sample = EventSamples.For(typeof(CreditsRecorded)).Cast<CreditsRecorded>().First() with { Credits = credits };
            var record = Records.CreditsRecorded.From(sample);
            Assert.Equal(4, record.Credits.Scale);
            Assert.Equal(credits, RoundTrip(record).ToValue().Credits);
        }
    }

    [Theory]
    [InlineData("2025-03-14T09:26:53.5899999+00:00", "2025-03-14T09:26:53.589+00:00")]
    [InlineData("1969-12-31T23:59:59.9995+00:00", "1969-12-31T23:59:59.999+00:00")]
    [InlineData("9999-12-31T23:59:58.749+00:00", "9999-12-31T23:59:58.749+00:00")]
    public void Times_are_written_as_whole_milliseconds_rounded_down(string time, string written)
    {
        var sample = EventSamples.For(typeof(TransformationStarted)).Cast<TransformationStarted>().First() with
        {
            OccurredAt = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture),
        };
        var schema = EventSchemas.For<TransformationStarted>();
        using var stream = new MemoryStream();
        new SpecificWriter<Records.TransformationStarted>(schema).Write(Records.TransformationStarted.From(sample), new BinaryEncoder(stream));
        stream.Position = 0;

        var read = new SpecificReader<Records.TransformationStarted>(schema, schema).Read(new Records.TransformationStarted(), new BinaryDecoder(stream));

        Assert.Equal(DateTimeOffset.Parse(written, System.Globalization.CultureInfo.InvariantCulture), read.ToValue().OccurredAt);
    }

    private static void Invoke(string method, string eventType)
    {
        var type = EventSchemas.EventTypes.Single(t => t.Name == eventType);
        typeof(AvroMappingTests).GetMethod(method, BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(type, EventSchemas.RecordTypeOf(type))
            .Invoke(null, null);
    }

    private static void Write<TEvent, TRecord>()
        where TRecord : class, IAvroRecord<TRecord, TEvent>, new()
    {
        var schema = EventSchemas.For(typeof(TEvent));
        foreach (var sample in EventSamples.For(typeof(TEvent)).Cast<TEvent>())
        {
            using var stream = new MemoryStream();
            new SpecificWriter<TRecord>(schema).Write(TRecord.From(sample), new BinaryEncoder(stream));
            stream.Position = 0;
            var written = new GenericReader<GenericRecord>(schema, schema).Read(null!, new BinaryDecoder(stream));

            var compared = GenericOracle.AssertSame(GenericOracle.ToGeneric(schema, sample), written, typeof(TEvent).Name);

            Assert.True(compared >= schema.Fields.Count);
            Assert.Equal(stream.Length, stream.Position);
        }
    }

    private static void Read<TEvent, TRecord>()
        where TRecord : class, IAvroRecord<TRecord, TEvent>, new()
    {
        var schema = EventSchemas.For(typeof(TEvent));
        foreach (var sample in EventSamples.For(typeof(TEvent)).Cast<TEvent>())
        {
            var read = ReadAs<TRecord>(schema, (GenericRecord)GenericOracle.ToGeneric(schema, sample)!).ToValue();

            Assert.True(FieldComparison.AssertSameFields(sample, read, typeof(TEvent).Name) >= schema.Fields.Count);
        }
    }

    /// <summary>A generic value written with <paramref name="writer"/>, read into a specific record as Confluent's
    /// deserializer reads it (into a fresh instance, resolving against the record's schema).</summary>
    private static TRecord ReadAs<TRecord>(RecordSchema writer, GenericRecord value)
        where TRecord : class, ISpecificRecord, new()
    {
        using var stream = new MemoryStream();
        new GenericWriter<GenericRecord>(writer).Write(value, new BinaryEncoder(stream));
        stream.Position = 0;
        return new SpecificReader<TRecord>(writer, new TRecord().Schema).Read(new TRecord(), new BinaryDecoder(stream));
    }

    private static Records.CreditsRecorded RoundTrip(Records.CreditsRecorded record)
    {
        using var stream = new MemoryStream();
        new SpecificWriter<Records.CreditsRecorded>(record.Schema).Write(record, new BinaryEncoder(stream));
        stream.Position = 0;
        return new SpecificReader<Records.CreditsRecorded>(record.Schema, record.Schema).Read(new Records.CreditsRecorded(), new BinaryDecoder(stream));
    }
}
