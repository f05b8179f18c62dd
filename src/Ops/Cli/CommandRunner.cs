using System.CommandLine;
using Amazon.Runtime;
using CinematicSwitch.Ops.Connection;
using CinematicSwitch.SchemaRegistry.Serdes;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.Ops.Cli;

/// <summary>Runs a command's handler with its session, and turns what can go wrong into a message and an exit status.</summary>
internal sealed class CommandRunner(GlobalOptions globals, OpsEnvironment environment)
{
    public TimeProvider Time => environment.Time;

    public void Handle(Command command, Func<OpsSession, ParseResult, CancellationToken, Task<int>> handler) =>
        command.SetAction((result, cancellationToken) => RunAsync(result, handler, cancellationToken));

    private async Task<int> RunAsync(ParseResult result, Func<OpsSession, ParseResult, CancellationToken, Task<int>> handler, CancellationToken cancellationToken)
    {
        var console = new OpsConsole(environment, result.GetValue(globals.Json));
        try
        {
            var input = globals.Read(result);
            var settings = await OpsSettings.LoadAsync(input, environment, cancellationToken);
            using var loggers = LoggerFactory.Create(logging => logging
                .SetMinimumLevel(input.Verbose ? LogLevel.Debug : LogLevel.Warning)
                .AddSimpleConsole(o => o.SingleLine = true)
                .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
            using var session = new OpsSession(settings, console, loggers, environment.Time);
            // Secrets are never printed: only where the tool is attached.
            console.Notice($"Attached to {settings.Origin}: Kafka {settings.Kafka.BootstrapServers}, topic prefix \"{settings.Kafka.TopicPrefix}\"" +
                (string.IsNullOrEmpty(settings.SchemaRegistry.Url) ? "" : $", registry {settings.SchemaRegistry.Url}"));
            return await handler(session, result, cancellationToken);
        }
        catch (OpsException e)
        {
            console.Failure(e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            console.Warning("Interrupted.");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException)
        {
            console.Failure($"S3: {e.Message}");
            return ExitCodes.Failure;
        }
        catch (KafkaException e)
        {
            console.Failure($"Kafka: {e.Error.Reason}");
            return ExitCodes.Failure;
        }
        // Confluent's SchemaRegistryException is an HttpRequestException; the serdes report a refusal (401, 403, ...) as theirs.
        catch (Exception e) when (e is HttpRequestException or TimeoutException or AvroSerdeException { Kind: AvroSerdeError.RegistryRefused })
        {
            console.Failure($"Schema registry: {e.Message}");
            return ExitCodes.Failure;
        }
    }
}
