using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OpenTelemetry;

namespace CinematicSwitch.ServiceDefaults.Telemetry;

/// <summary>
/// Writes each finished span as one line a person can read, to "{service}-{process id}.log" in a directory: one file
/// per process, since processes cannot safely append to one file together. A line starts with the trace id and the
/// span's start time, so <c>sort</c> over the files of all services groups the spans of each trace in order:
/// <code>{trace id} {start, UTC} {service} {kind} {duration} ms {status} {name} span={id} parent={id or -} [links=...] {attributes as JSON}</code>
/// </summary>
public sealed class TraceFileExporter : BaseExporter<Activity>
{
    private readonly string _directory;
    private readonly Lock _gate = new();
    private StreamWriter? _writer;
    private string? _service;

    public TraceFileExporter(string directory) => _directory = directory;

    public override ExportResult Export(in Batch<Activity> batch)
    {
        var spans = new List<Activity>();
        foreach (var activity in batch)
        {
            spans.Add(activity);
        }

        var service = Service();
        var text = new StringBuilder();
        foreach (var span in spans.OrderBy(s => s.TraceId.ToHexString(), StringComparer.Ordinal).ThenBy(s => s.StartTimeUtc))
        {
            Append(text, service, span);
        }

        try
        {
            lock (_gate)
            {
                _writer ??= Open(service);
                _writer.Write(text);
                _writer.Flush();
            }

            return ExportResult.Success;
        }
        catch (IOException)
        {
            return ExportResult.Failure;
        }
    }

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        lock (_gate)
        {
            _writer?.Dispose();
            _writer = null;
        }

        return true;
    }

    /// <summary>One span's line (with its line break).</summary>
    private static void Append(StringBuilder text, string service, Activity span)
    {
        var parent = span.ParentSpanId == default ? "-" : span.ParentSpanId.ToHexString();
        text.Append(CultureInfo.InvariantCulture,
            $"{span.TraceId.ToHexString()} {span.StartTimeUtc:yyyy-MM-ddTHH:mm:ss.ffffffZ} {service} {span.Kind} {span.Duration.TotalMilliseconds:0.0} ms {span.Status} {span.DisplayName} span={span.SpanId.ToHexString()} parent={parent}");
        var links = span.Links.Select(l => $"{l.Context.TraceId.ToHexString()}:{l.Context.SpanId.ToHexString()}").ToList();
        if (links.Count > 0)
        {
            text.Append(" links=").AppendJoin(',', links);
        }

        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in span.TagObjects)
        {
            attributes[key] = value;
        }

        if (span.StatusDescription is { } description)
        {
            attributes["otel.status_description"] = description;
        }

        text.Append(' ').Append(JsonSerializer.Serialize(attributes)).Append('\n');
    }

    private string Service()
    {
        if (_service is null)
        {
            var resource = ParentProvider?.GetResource();
            var name = resource?.Attributes.FirstOrDefault(a => a.Key == "service.name").Value as string ?? "unknown";
            // One word, so that the line's fields stay apart.
            _service = string.Join('_', name.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }

        return _service;
    }

    private StreamWriter Open(string service)
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, $"{service}-{Environment.ProcessId}.log");
        return new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }
}
