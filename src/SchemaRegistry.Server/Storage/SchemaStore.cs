using Avro;
using CinematicSwitch.SchemaRegistry.Server.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CinematicSwitch.SchemaRegistry.Server.Storage;

/// <summary>
/// The registry's state and its topic together: loads the topic before the server accepts requests, and makes
/// each change durable before it becomes visible. Changes run one at a time; reads never wait for them.
/// </summary>
internal sealed class SchemaStore(SchemaRegistryServerOptions options, KafkaSchemaLog log, ILogger<SchemaStore> logger)
    : IHostedLifecycleService, IDisposable
{
    private readonly Confluent.SchemaRegistry.Compatibility _defaultCompatibility = CompatibilityLevels.Parse(options.DefaultCompatibility);
    private readonly SemaphoreSlim _changes = new(1, 1);
    private RegistryState? _state;
    private bool _stale;

    public RegistryState State => _state ?? throw new InvalidOperationException("The schema store has not been loaded.");

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        await log.EnsureTopicAsync(cancellationToken);
        await LoadAsync(cancellationToken);
    }

    /// <summary>Plans a change against the current state, writes its records, then applies them.</summary>
    public async Task<T> ChangeAsync<T>(Func<RegistryState, Plan<T>> plan, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken);
        try
        {
            if (_stale)
            {
                await LoadAsync(cancellationToken);
            }

            var change = plan(State);
            if (change.Records.Count > 0)
            {
                try
                {
                    // Not cancelled with the request: a write that may have reached the topic must be known to have.
                    using var timeout = new CancellationTokenSource(options.StoreTimeoutMs);
                    await log.AppendAsync(change.Records, timeout.Token);
                }
                catch (Exception e) when (e is not RegistryError)
                {
                    // The topic may or may not hold the records: it is read again before the next change.
                    _stale = true;
                    throw new RegistryError(StatusCodes.Status500InternalServerError, Rest.RegistryErrorCodes.StoreError,
                        $"Error while writing to the schemas topic {log.Topic}: {e.Message}");
                }

                foreach (var record in change.Records)
                {
                    State.Apply(record);
                    logger.LogInformation("Stored in {Topic}: {Change}", log.Topic, Describe(record));
                }
            }

            return change.Result;
        }
        finally
        {
            _changes.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _changes.Dispose();

    private static string Describe(RegistryRecord record) => record switch
    {
        SchemaVersionRecord { Value: null } r => $"{r.Subject} version {r.Version} deleted permanently",
        SchemaVersionRecord { Value: { Deleted: true } v } r => $"{r.Subject} version {r.Version} (id {v.Id}) soft-deleted",
        // The fingerprint (of the parsing canonical form) is what clients compare schemas by.
        SchemaVersionRecord { Value: { } v } r =>
            $"{r.Subject} version {r.Version} is schema id {v.Id} (fingerprint {SchemaNormalization.ParsingFingerprint64(Schema.Parse(v.Schema)):x16})",
        ConfigRecord r => $"compatibility of {r.Subject ?? "the registry"} {(r.Compatibility is null ? "reset" : "set to " + r.Compatibility)}",
        ModeRecord r => $"mode of {r.Subject ?? "the registry"} {(r.Mode is null ? "reset" : "set to " + r.Mode)}",
        _ => record.GetType().Name,
    };

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var state = new RegistryState(_defaultCompatibility);
        var count = await log.ReadAllAsync(state.Apply, cancellationToken);
        _state = state;
        _stale = false;
        logger.LogInformation("Schema registry state loaded from {Topic}: {Records} records, {Schemas} schemas, highest id {MaxId}",
            log.Topic, count, state.SchemaCount, state.MaxId);
    }
}
