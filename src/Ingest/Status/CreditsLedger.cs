using System.Collections.Concurrent;
using CinematicSwitch.Contracts.Events;
using Microsoft.Extensions.Options;

namespace CinematicSwitch.Ingest.Status;

/// <summary>
/// Credits spent per tenant, from cinematic.credits.recorded: totals per unit, and the latest entries. Each request
/// attempt counts once: a second entry with the same cs-identity is a copy (README, "Exactly once") and is ignored.
/// </summary>
internal sealed class CreditsLedger(IOptions<IngestOptions> options)
{
    private readonly int _recent = options.Value.Status.RecentCreditEntries;
    private readonly ConcurrentDictionary<string, TenantCredits> _tenants = new(StringComparer.Ordinal);

    /// <param name="identity">The entry's cs-identity header; entries without one count by request id.</param>
    public void Record(string? identity, CreditsRecorded entry) =>
        _tenants.GetOrAdd(entry.TenantId, _ => new TenantCredits()).Add(identity ?? entry.RequestId.ToString("N"), entry, _recent);

    public CreditsSnapshot Read(string tenantId) =>
        _tenants.TryGetValue(tenantId, out var credits) ? credits.Snapshot() : new CreditsSnapshot([], []);

    private sealed class TenantCredits
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, CreditTotal> _totals = new(StringComparer.Ordinal);
        private readonly Queue<CreditsRecorded> _latest = new();
        private readonly HashSet<string> _counted = new(StringComparer.Ordinal);

        public void Add(string identity, CreditsRecorded entry, int keep)
        {
            lock (_gate)
            {
                if (!_counted.Add(identity))
                {
                    return;
                }

                var total = _totals.GetValueOrDefault(entry.CreditUnit) ?? new CreditTotal(entry.CreditUnit, 0, 0);
                _totals[entry.CreditUnit] = total with { Credits = total.Credits + entry.Credits, Requests = total.Requests + 1 };
                _latest.Enqueue(entry);
                while (_latest.Count > keep)
                {
                    _latest.Dequeue();
                }
            }
        }

        public CreditsSnapshot Snapshot()
        {
            lock (_gate)
            {
                return new CreditsSnapshot(
                    _totals.Values.OrderBy(t => t.Unit, StringComparer.Ordinal).ToList(),
                    _latest.Reverse().ToList());
            }
        }
    }
}

public sealed record CreditTotal(string Unit, decimal Credits, int Requests);

/// <summary>Totals per credit unit, and the latest entries, newest first.</summary>
public sealed record CreditsSnapshot(IReadOnlyList<CreditTotal> Totals, IReadOnlyList<CreditsRecorded> Latest);
