namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// Runs every task queued to it at once, on the queuing thread. Confluent's serdes (2.16) chain
/// <c>ContinueWith</c> without <c>ExecuteSynchronously</c> on every value, which queues the end of each serialization
/// to the thread pool even when the schema id is cached: a thread hop per value, and a blocked thread for the
/// synchronous interfaces. Called under this scheduler (the <c>TaskScheduler.Current</c> those continuations take),
/// a cached-path value completes on the caller's thread. Only the synchronous part runs here: once a registry call
/// is really awaited, the rest runs where that call completes.
/// </summary>
internal sealed class InlineTaskScheduler : TaskScheduler
{
    private static readonly InlineTaskScheduler Instance = new();

    /// <summary>Calls <paramref name="function"/> now, on this thread, with this scheduler as the current one.</summary>
    public static Task<T> Run<T>(Func<Task<T>> function)
    {
        var call = new Task<Task<T>>(function, TaskCreationOptions.DenyChildAttach);
        call.RunSynchronously(Instance);
        return call.IsCompletedSuccessfully ? call.Result : Task.FromException<T>(call.Exception!.InnerException!);
    }

    protected override void QueueTask(Task task) => TryExecuteTask(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => [];
}
