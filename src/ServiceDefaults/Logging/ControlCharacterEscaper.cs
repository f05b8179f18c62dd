using System.Text;
using Serilog.Core;
using Serilog.Events;

namespace CinematicSwitch.ServiceDefaults.Logging;

/// <summary>
/// Escapes control characters (CR, LF, the rest of C0 and C1, U+2028 and U+2029) in every string a log event carries:
/// request paths, route values and header values come from callers, and the text format renders strings literally, so
/// an unescaped "%0d%0a" in a path would start a forged line. JSON output escapes them too, now without a special case.
/// </summary>
internal sealed class ControlCharacterEscaper : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        List<LogEventProperty>? changed = null;
        foreach (var (name, value) in logEvent.Properties)
        {
            var escaped = Escape(value);
            if (!ReferenceEquals(escaped, value))
            {
                (changed ??= []).Add(new LogEventProperty(name, escaped));
            }
        }

        foreach (var property in changed ?? [])
        {
            logEvent.AddOrUpdateProperty(property);
        }
    }

    /// <summary>The value with its strings escaped, or the same instance when nothing needed it.</summary>
    private static LogEventPropertyValue Escape(LogEventPropertyValue value)
    {
        switch (value)
        {
            case ScalarValue { Value: string text } when text.Any(NeedsEscape):
                return new ScalarValue(Escape(text));
            case SequenceValue sequence:
                var elements = sequence.Elements.Select(Escape).ToList();
                return elements.Where((e, i) => !ReferenceEquals(e, sequence.Elements[i])).Any() ? new SequenceValue(elements) : value;
            case StructureValue structure:
                var properties = structure.Properties.Select(p => new LogEventProperty(p.Name, Escape(p.Value))).ToList();
                return properties.Where((p, i) => !ReferenceEquals(p.Value, structure.Properties[i].Value)).Any()
                    ? new StructureValue(properties, structure.TypeTag)
                    : value;
            case DictionaryValue dictionary:
                var entries = dictionary.Elements.Select(e => new KeyValuePair<ScalarValue, LogEventPropertyValue>(
                    (ScalarValue)Escape(e.Key), Escape(e.Value))).ToList();
                return entries.Zip(dictionary.Elements).Any(p => !ReferenceEquals(p.First.Key, p.Second.Key) || !ReferenceEquals(p.First.Value, p.Second.Value))
                    ? new DictionaryValue(entries)
                    : value;
            default:
                return value;
        }
    }

    private static bool NeedsEscape(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (!NeedsEscape(c))
            {
                escaped.Append(c);
                continue;
            }

            escaped.Append(c switch
            {
                '\r' => "\\r",
                '\n' => "\\n",
                '\t' => "\\t",
                _ => $"\\u{(int)c:x4}",
            });
        }

        return escaped.ToString();
    }
}
