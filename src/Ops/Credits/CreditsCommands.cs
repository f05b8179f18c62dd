using System.CommandLine;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Ops.Cli;
using CinematicSwitch.Ops.Connection;
using CinematicSwitch.Ops.Failures;
using CinematicSwitch.Ops.Kafka;
using CinematicSwitch.Streaming.Processing;
using Confluent.Kafka;

namespace CinematicSwitch.Ops.Credits;

/// <summary>A tenant's credits in one unit.</summary>
internal sealed record CreditBalance(string Tenant, string Unit, decimal Credits, int Requests, int Duplicates, DateTimeOffset LastRecordedAt);

/// <summary>credits balance: per-tenant credits from the cinematic.credits.recorded ledger.</summary>
internal static class CreditsCommands
{
    public static Command Create(CommandRunner runner)
    {
        var tenant = CommonOptions.Patterns("--tenant", "Only this tenant");
        var since = CommonOptions.Time("--since", "Only entries recorded at or after this time", runner.Time);
        var until = CommonOptions.Time("--until", "Only entries recorded at or before this time", runner.Time);
        var balance = new Command("balance", "Credits per tenant and unit, summed over the ledger, each request attempt counted once " +
            "(a replay is a new paid generation and counts again; a duplicate ledger entry does not).") { tenant, since, until };
        runner.Handle(balance, (session, result, token) => BalanceAsync(session, CommonOptions.ReadPatterns(result, tenant),
            new TimeRange(result.GetValue(since), result.GetValue(until)), token));
        return new Command("credits", "The credits ledger.") { balance };
    }

    private static async Task<int> BalanceAsync(OpsSession session, IReadOnlyList<TextPattern> tenants, TimeRange time, CancellationToken cancellationToken)
    {
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        await session.Scanner.ScanAsync([session.Topic(Topics.CreditsRecorded)], records.Add, cancellationToken);
        var reader = session.Serdes.Deserializer<CreditsRecorded>();
        var entries = new List<(string Identity, CreditsRecorded Entry)>();
        var undecodable = 0;
        foreach (var record in records)
        {
            if (await FailureLog.DecodeAsync(reader, record, cancellationToken) is not { } entry)
            {
                undecodable++;
            }
            else if (TextPattern.Any(tenants, entry.TenantId) && time.Contains(entry.OccurredAt))
            {
                // The archiver labels each entry with its request attempt; an entry without the label counts once per request.
                entries.Add((RecordHeaders.Text(record.Message.Headers, StreamHeaders.Identity) ?? entry.RequestId.ToString("N"), entry));
            }
        }

        var balances = entries
            .GroupBy(e => (e.Entry.TenantId, e.Entry.CreditUnit))
            .Select(g =>
            {
                var counted = g.DistinctBy(e => e.Identity, StringComparer.Ordinal).ToList();
                return new CreditBalance(g.Key.TenantId, g.Key.CreditUnit, counted.Sum(e => e.Entry.Credits), counted.Count, g.Count() - counted.Count,
                    g.Max(e => e.Entry.OccurredAt));
            })
            .OrderBy(b => b.Tenant, StringComparer.Ordinal).ThenBy(b => b.Unit, StringComparer.Ordinal)
            .ToList();
        if (undecodable > 0)
        {
            session.Console.Warning($"{undecodable} ledger record(s) could not be decoded and were left out.");
        }

        if (session.Console.Json)
        {
            session.Console.WriteJson(new { balances, undecodable });
            return ExitCodes.Ok;
        }

        session.Console.Write(OpsConsole.Table(["Tenant", "Unit", "Credits", "Requests", "Duplicates ignored", "Last recorded"], balances.Select(b =>
            new string?[] { b.Tenant, b.Unit, Display.Number(b.Credits), b.Requests.ToString(), b.Duplicates.ToString(), Display.Time(b.LastRecordedAt) })));
        return ExitCodes.Ok;
    }
}
