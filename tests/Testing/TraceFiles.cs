using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CinematicSwitch.Testing;

/// <summary>One line of a trace file (ServiceDefaults' TraceFileExporter): a finished span.</summary>
public sealed record SpanLine(
    string TraceId,
    DateTimeOffset Start,
    string Service,
    string Kind,
    double DurationMs,
    string Status,
    string Name,
    string SpanId,
    string? ParentId,
    IReadOnlyList<string> Links,
    IReadOnlyDictionary<string, JsonElement> Attributes)
{
    public string? Attribute(string name) => Attributes.TryGetValue(name, out var value)
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
        : null;
}

/// <summary>Reads the trace files the services write to a directory (Telemetry:TraceDirectory), and renders a trace as a tree.</summary>
public static partial class TraceFiles
{
    /// <summary>Every span written so far by every process, in file order.</summary>
    public static IReadOnlyList<SpanLine> Read(string directory)
    {
        var spans = new List<SpanLine>();
        foreach (var file in Directory.Exists(directory) ? Directory.GetFiles(directory, "*.log") : [])
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                // The writer may be mid-line.
                if (line.EndsWith('}'))
                {
                    spans.Add(Parse(line));
                }
            }
        }

        return spans;
    }

    public static SpanLine Parse(string line)
    {
        var match = LinePattern().Match(line);
        if (!match.Success)
        {
            throw new FormatException($"Not a span line: {line}");
        }

        string Group(string name) => match.Groups[name].Value;
        var attributes = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Group("attributes"))!;
        return new SpanLine(
            Group("trace"),
            DateTimeOffset.Parse(Group("start"), CultureInfo.InvariantCulture),
            Group("service"),
            Group("kind"),
            double.Parse(Group("ms"), CultureInfo.InvariantCulture),
            Group("status"),
            Group("name"),
            Group("span"),
            Group("parent") == "-" ? null : Group("parent"),
            match.Groups["links"].Success ? Group("links").Split(',') : [],
            attributes);
    }

    /// <summary>One trace as an indented tree (children under their parent, by start time), for a person to read.</summary>
    public static string Render(IReadOnlyList<SpanLine> trace)
    {
        var text = new StringBuilder();
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        var t0 = trace.Min(s => s.Start);
        void Write(SpanLine span, int depth)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"{(span.Start - t0).TotalMilliseconds,8:0.0} ms {new string(' ', depth * 2)}{span.Service} {span.Kind} \"{span.Name}\" {span.DurationMs:0.0} ms {span.Status}{Summary(span)}\n");
            foreach (var child in trace.Where(s => s.ParentId == span.SpanId).OrderBy(s => s.Start))
            {
                Write(child, depth + 1);
            }
        }

        foreach (var root in trace.Where(s => s.ParentId is null || !ids.Contains(s.ParentId)).OrderBy(s => s.Start))
        {
            Write(root, 0);
        }

        return text.ToString();
    }

    private static string Summary(SpanLine span)
    {
        string[] keys = ["http.request.method", "url.full", "http.response.status_code", "messaging.destination.partition.id", "messaging.kafka.offset", "messaging.consumer.group.name"];
        var parts = keys.Select(k => span.Attribute(k) is { } v ? $"{k}={v}" : null).OfType<string>().ToList();
        return parts.Count == 0 ? "" : " " + string.Join(" ", parts);
    }

    [GeneratedRegex(@"^(?<trace>[0-9a-f]{32}) (?<start>\S+) (?<service>\S+) (?<kind>\S+) (?<ms>[0-9.]+) ms (?<status>\S+) (?<name>.+?) span=(?<span>[0-9a-f]{16}) parent=(?<parent>[0-9a-f]{16}|-)(?: links=(?<links>\S+))? (?<attributes>\{.*\})$")]
    private static partial Regex LinePattern();
}
