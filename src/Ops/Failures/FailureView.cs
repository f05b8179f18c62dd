using CinematicSwitch.Ops.Cli;

namespace CinematicSwitch.Ops.Failures;

/// <summary>A failure as tables and JSON show it (the same values in both).</summary>
internal sealed record FailureView(
    Guid RequestId,
    string Tenant,
    string Code,
    string Message,
    string? Provider,
    string Requester,
    int ReplayCount,
    DateTimeOffset FailedAt,
    string Stage,
    string State,
    string? Detail,
    string Location) : IListedView
{
    public static readonly string[] Columns = ["Request", "Tenant", "Code", "Message", "Provider", "Requester", "Replays", "Failed at", "State"];

    public static FailureView Of(ClassifiedFailure classified)
    {
        var failed = classified.Failure.Event;
        return new FailureView(
            failed.RequestId,
            failed.TenantId,
            Display.Symbol(failed.Error.Code),
            failed.Error.Message,
            failed.Error.Provider is { } provider ? Display.Symbol(provider) : null,
            failed.Requester,
            classified.Failure.ReplayCount,
            failed.OccurredAt,
            Display.Symbol(failed.Stage),
            Display.Kebab(classified.State),
            classified.Detail,
            classified.Failure.Location.ToString());
    }

    public string?[] Cells() =>
        [RequestId.ToString(), Tenant, Code, Message, Provider, Requester, ReplayCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Display.Time(FailedAt), State];
}
