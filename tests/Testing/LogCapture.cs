using System.Diagnostics;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Serilog.Events;
using Serilog.Formatting.Display;

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
            if (state is LogEvent serilog)
            {
                // What the services' Serilog pipeline hands to other providers: its own event, properties and all.
                foreach (var (key, value) in serilog.Properties)
                {
                    values[key] = value is ScalarValue scalar ? scalar.Value : value.ToString();
                }
            }
            else
            {
                foreach (var (key, value) in state as IEnumerable<KeyValuePair<string, object?>> ?? [])
                {
                    values[key] = value;
                }
            }

            var traceId = state is LogEvent { TraceId: { } trace } ? trace.ToHexString() : Activity.Current?.TraceId.ToHexString();
            lines.Enqueue(new CapturedLog(category, logLevel, Render(state, exception, formatter), exception?.ToString(), values, traceId));
        }

        /// <summary>A Serilog event's message as its console shows it: strings unquoted.</summary>
        private static string Render<TState>(TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not LogEvent serilog)
            {
                return formatter(state, exception);
            }

            using var text = new StringWriter();
            Literal.Format(serilog, text);
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
