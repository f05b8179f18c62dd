using System.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Serilog.Events;
using Serilog.Formatting.Display;
using Serilog.Parsing;

namespace CinematicSwitch.Testing;

/// <summary>Every log line written through it, rendered, with its structured values, for assertions on what is (never) logged.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> _lines = new();

    public IReadOnlyList<CapturedLog> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> lines) : ILogger
    {
        private static readonly MessageTemplateTextFormatter Literal = new("{Message:l}");

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (key, value) in state as IEnumerable<KeyValuePair<string, object?>> ?? [])
            {
                values[key] = value;
            }

            var message = values.GetValueOrDefault("{OriginalFormat}") is string template ? Render(template, values) : formatter(state, exception);
            lines.Enqueue(new CapturedLog(category, logLevel, message, exception?.ToString(), values, Activity.Current?.TraceId.ToHexString()));
        }

        /// <summary>
        /// The message as the services' console shows it (Serilog renders strings in quotes unless told not to): what
        /// the services log reaches this provider through Serilog, with its template and values.
        /// </summary>
        private static string Render(string template, Dictionary<string, object?> values)
        {
            var properties = values.Where(v => v.Key != "{OriginalFormat}")
                .Select(v => new LogEventProperty(v.Key, v.Value as LogEventPropertyValue ?? new ScalarValue(v.Value)));
            var parsed = new MessageTemplateParser().Parse(template);
            using var text = new StringWriter();
            Literal.Format(new LogEvent(DateTimeOffset.UtcNow, LogEventLevel.Information, null, parsed, properties), text);
            return text.ToString();
        }
    }
}

/// <param name="TraceId">The trace the event was written in, if any.</param>
public sealed record CapturedLog(string Category, LogLevel Level, string Message, string? Exception, IReadOnlyDictionary<string, object?> Values, string? TraceId)
{
    /// <summary>Everything the line says, in one string to search.</summary>
    public string All => $"{Category} {Message} {Exception} {string.Join(" ", Values.Select(v => $"{v.Key}={v.Value}"))}";
}
