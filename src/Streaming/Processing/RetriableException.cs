namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// A failure that says nothing about the record (a dependency is unreachable): the record is retried, never
/// dead-lettered for it. Handlers throw it, or let <see cref="HttpRequestException"/> and <see cref="TimeoutException"/> through.
/// </summary>
public class RetriableException : Exception
{
    public RetriableException()
    {
    }

    public RetriableException(string message)
        : base(message)
    {
    }

    public RetriableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static bool IsRetriable(Exception e) => e switch
    {
        RetriableException or HttpRequestException or TimeoutException => true,
        AggregateException { InnerExceptions: var inner } => inner.All(IsRetriable),
        _ => e.InnerException is { } inner && IsRetriable(inner),
    };
}
