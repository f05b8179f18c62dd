using CinematicSwitch.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Configuration;
using Serilog.Events;
using Serilog.Extensions.Hosting;
using Serilog.Formatting.Compact;

namespace CinematicSwitch.ServiceDefaults.Logging;

/// <summary>
/// Serilog for every host of the project: a bootstrap logger from the first line of Program.cs (so a failed start is
/// logged like everything else), then the host's logger, and one request log line per HTTP request.
/// </summary>
public static class ServiceLogging
{
    /// <summary>"json": one compact JSON object (CLEF) per line; anything else: text.</summary>
    public const string FormatKey = "Logging:Format";

    /// <summary>The property every event carries: which service wrote it.</summary>
    public const string ServiceProperty = "Service";

    private const string TextTemplate = "{Timestamp:HH:mm:ss.fff} {Level:u3} [{Service}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// Runs a host's Program under a bootstrap logger: until the host's own logger is built, events (and a failure to
    /// build or start the host) go to the console in the format <see cref="FormatKey"/> asks for, read from the
    /// environment and <paramref name="args"/> as the host will read it. A failure is logged as fatal and ends the
    /// process with exit code 1.
    /// </summary>
    public static async Task<int> RunAsync(string serviceName, string[] args, Func<Task> run)
    {
        var early = new ConfigurationBuilder().AddEnvironmentVariables().AddCommandLine(args).Build();
        Log.Logger = new LoggerConfiguration()
            .Enrich.WithProperty(ServiceProperty, serviceName)
            .Enrich.With<ControlCharacterEscaper>()
            .WriteTo.ServiceConsole(IsJson(early))
            .CreateBootstrapLogger();
        try
        {
            await run();
            return 0;
        }
        catch (Exception e)
        {
            Log.Fatal(e, "{Service} stopped: {Error}", serviceName, e.Message);
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>
    /// The host's Serilog logger behind Microsoft.Extensions.Logging. The "Serilog" configuration section, when
    /// present, is read as Serilog.Settings.Configuration documents it and then decides the sinks; otherwise events go
    /// to the console, as text or, with Logging:Format=json, compact JSON. Every event carries the service name and,
    /// inside a trace, its trace and span ids (Serilog takes them from Activity.Current), so logs and traces correlate.
    /// </summary>
    public static IHostApplicationBuilder AddServiceLogging(this IHostApplicationBuilder builder, string serviceName)
    {
        var configuration = builder.Configuration;
        // Read while the host is composed, so that a configuration check sees the option used.
        var json = IsJson(configuration);
        var section = configuration.GetSection("Serilog");
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(
            (_, logger) =>
            {
                logger.Enrich.FromLogContext()
                    .Enrich.WithProperty(ServiceProperty, serviceName)
                    .Enrich.With<ControlCharacterEscaper>()
                    .MinimumLevel.Information()
                    // Framework chatter stays out; HttpClient's own per-request lines name full URLs (with signed queries).
                    .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
                    .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
                    .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning);
                if (section.Exists())
                {
                    logger.ReadFrom.Configuration(configuration);
                }
                else
                {
                    logger.WriteTo.ServiceConsole(json);
                }
            },
            // A process started through RunAsync has a bootstrap logger, which this reconfigures and keeps as the static
            // Log.Logger; a host built without one (several in one test process) keeps a logger of its own.
            preserveStaticLogger: Log.Logger is not ReloadableLogger,
            // Other ILoggerProviders registered with the host (a test's capture) receive the events too.
            writeToProviders: true);
        return builder;
    }

    /// <summary>
    /// One event per HTTP request when it completes (Serilog.AspNetCore's request logging), with what endpoints add
    /// through IDiagnosticContext. Method, path (never the query string), status and time only: no headers, no bodies.
    /// Probes and scrapes are logged at Debug. Call it before any middleware whose outcome the line should report.
    /// </summary>
    public static WebApplication UseServiceRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            // This host's logger, not the static one: several hosts may share a test process.
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.IncludeQueryInRequestPath = false;
            options.EnrichDiagnosticContext = (diagnostics, http) =>
            {
                if (http.RequestAborted.IsCancellationRequested)
                {
                    // The status is then what the service meant to answer; nobody received it.
                    diagnostics.Set("ClientAborted", true);
                }
            };
            // Probes and scrapes come every few seconds, and a 503 from /readyz is an answer, not a failure.
            options.GetLevel = (http, _, error) =>
                error is not null ? LogEventLevel.Error
                : ServiceTelemetry.IsRoutine(http.Request.Path) ? LogEventLevel.Debug
                : http.Response.StatusCode >= StatusCodes.Status500InternalServerError ? LogEventLevel.Error
                : LogEventLevel.Information;
        });
        return app;
    }

    private static bool IsJson(IConfiguration configuration) =>
        string.Equals(configuration[FormatKey], "json", StringComparison.OrdinalIgnoreCase);

    private static LoggerConfiguration ServiceConsole(this LoggerSinkConfiguration sinks, bool json) =>
        json ? sinks.Console(new CompactJsonFormatter()) : sinks.Console(outputTemplate: TextTemplate);
}
