using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace CinematicSwitch.ServiceDefaults.Logging;

public static class SerilogSetup
{
    /// <summary>
    /// Serilog behind Microsoft.Extensions.Logging. A "Serilog" configuration section, when present, is read
    /// as Serilog.Settings.Configuration documents it; otherwise console output, as text or, with
    /// Logging:Format=json, one JSON object per line.
    /// </summary>
    public static IHostApplicationBuilder AddStructuredLogging(this IHostApplicationBuilder builder, string serviceName)
    {
        var configuration = new LoggerConfiguration()
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Service", serviceName)
            .MinimumLevel.Information()
            // Framework chatter, and HttpClient's per-request lines (full provider URLs), stay out of the logs.
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning);

        if (builder.Configuration.GetSection("Serilog").Exists())
        {
            configuration.ReadFrom.Configuration(builder.Configuration);
        }
        else if (string.Equals(builder.Configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            configuration.WriteTo.Console(new JsonFormatter(renderMessage: true));
        }
        else
        {
            configuration.WriteTo.Console(
                outputTemplate: "{Timestamp:HH:mm:ss.fff} {Level:u3} [{Service}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(configuration.CreateLogger(), dispose: true);
        return builder;
    }
}
