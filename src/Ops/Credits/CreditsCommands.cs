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

/// <summary>A tenant's credits in one unit, or (with --by-requester) what one requester, a skill for example, spent of them.</summary>
internal sealed record CreditBalance(string Tenant, string? Requester, string Unit, decimal Credits, int Requests, int Duplicates, DateTimeOffset LastRecordedAt);

/// <summary>credits balance: per-tenant credits from the cinematic.credits.recorded ledger.</summary>
internal static class CreditsCommands
{
    public static Command Create(CommandRunner runner)
    {
        var tenant = CommonOptions.Patterns("--tenant", "Only this tenant");
        var requester = CommonOptions.Patterns("--requester", "Only this requester, e.g. skill:generate_intro_video_loop or skill:*");
        var byRequester = new Option<bool>("--by-requester") { Description = "One row per requester (a skill, a person's upload) and tenant: what each skill costs (US6)." };
        var since = CommonOptions.Time("--since", "Only entries recorded at or after this time", runner.Time);
        var until = CommonOptions.Time("--until", "Only entries recorded at or before this time", runner.Time);
        var balance = new Command("balance", "Credits per tenant and unit, summed over the ledger, each request attempt counted once " +
            "(a replay is a new paid generation and counts again; a duplicate ledger entry does not).") { tenant, requester, byRequester, since, until };
        runner.Handle(balance, (session, result, token) => BalanceAsync(session, CommonOptions.ReadPatterns(result, tenant),
            CommonOptions.ReadPatterns(result, requester), result.GetValue(byRequester), new TimeRange(result.GetValue(since), result.GetValue(until)), token));
        return new Command("credits", "The credits ledger.") { balance };
    }

    private static async Task<int> BalanceAsync(OpsSession session, IReadOnlyList<TextPattern> tenants, IReadOnlyList<TextPattern> requesters, bool byRequester,
        TimeRange time, CancellationToken cancellationToken)
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
            else if (TextPattern.Any(tenants, entry.TenantId) && TextPattern.Any(requesters, entry.Requester) && time.Contains(entry.OccurredAt))
            {
                // The archiver labels each entry with its request attempt; an entry without the label counts once per request.
                entries.Add((RecordHeaders.Text(record.Message.Headers, StreamHeaders.Identity) ?? entry.RequestId.ToString("N"), entry));
            }
        }

        var balances = entries
            .GroupBy(e => (e.Entry.TenantId, Requester: byRequester ? e.Entry.Requester : null, e.Entry.CreditUnit))
            .Select(g =>
            {
                var counted = g.DistinctBy(e => e.Identity, StringComparer.Ordinal).ToList();
                return new CreditBalance(g.Key.TenantId, g.Key.Requester, g.Key.CreditUnit, counted.Sum(e => e.Entry.Credits), counted.Count,
                    g.Count() - counted.Count, g.Max(e => e.Entry.OccurredAt));
            })
            .OrderBy(b => b.Requester, StringComparer.Ordinal).ThenBy(b => b.Tenant, StringComparer.Ordinal).ThenBy(b => b.Unit, StringComparer.Ordinal)
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

        string[] columns = ["Tenant", "Unit", "Credits", "Requests", "Duplicates ignored", "Last recorded"];
        session.Console.Write(OpsConsole.Table(byRequester ? ["Requester", .. columns] : columns, balances.Select(b =>
        {
            string?[] row = [b.Tenant, b.Unit, Display.Number(b.Credits), b.Requests.ToString(), b.Duplicates.ToString(), Display.Time(b.LastRecordedAt)];
            return byRequester ? [b.Requester, .. row] : row;
        })));
        return ExitCodes.Ok;
    }
}
