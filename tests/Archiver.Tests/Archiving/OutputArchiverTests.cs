using System.Diagnostics.Metrics;
using CinematicSwitch.Archiver.Archiving;
using CinematicSwitch.Archiver.Downloads;
using CinematicSwitch.Archiver.Tests.Support;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Testing;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CinematicSwitch.Archiver.Tests.Archiving;

/// <summary>
/// The archiver's retry of a download, on its own clock (a fake one here): real HTTP to a loopback server, with the
/// pauses between attempts and the deadline read from the <see cref="TimeProvider"/> the archiver is given.
/// </summary>
[Trait("Category", "Stack")]
public sealed class OutputArchiverTests : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(5);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-12-07T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "cinematic-archiver-tests", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task An_output_that_keeps_failing_is_retried_with_growing_pauses_until_the_deadline_of_the_archivers_clock()
    {
        var attempts = new List<DateTimeOffset>();
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            lock (attempts)
            {
                attempts.Add(_time.GetUtcNow());
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        var archiver = await ArchiverAsync(server);
        var started = _time.GetUtcNow();

        var result = await RunOnFakeClockAsync(archiver.ArchiveAsync(Completed(server), [Output(server)], CancellationToken.None));

        var failure = Assert.IsType<OutputFailure>(result.Failure);
        Assert.Equal(FetchFailureReason.Expired, failure.Reason);
        Assert.Equal(attempts.Count, failure.Attempts);
        // Exponential back-off from 1 s capped at 30 s: far fewer attempts than a fixed 1 s pause would make in 5 minutes.
        Assert.InRange(attempts.Count, 5, 60);
        var pauses = attempts.Zip(attempts.Skip(1), (a, b) => b - a).ToList();
        Assert.All(pauses, p => Assert.True(p <= TimeSpan.FromSeconds(31), $"a pause of {p} is above the 30 s maximum"));
        Assert.True(pauses.Max() >= TimeSpan.FromSeconds(8), "the pauses did not grow");
        // Retried while failures come before the deadline: the last attempt lies within one pause of the deadline. Which
        // side depends on the clock's steps between the server stamping an attempt and the archiver judging its failure
        // (the clock moves on while they run; under load, by more than the last pause).
        var last = attempts[^1] - started;
        Assert.True(last >= Deadline - TimeSpan.FromSeconds(31) && last <= Deadline + TimeSpan.FromSeconds(31), $"the last attempt came {last} after the start");
        Assert.True(attempts[^2] - started < Deadline, $"two attempts after the deadline: {attempts[^2] - started}, {last}");
    }

    [Theory]
    [InlineData("too-large", FetchFailureReason.TooLarge)]
    [InlineData("html", FetchFailureReason.WrongType)]
    [InlineData("loop", FetchFailureReason.TooManyRedirects)]
    [InlineData("bad-request", FetchFailureReason.HttpError)]
    public async Task A_failure_another_attempt_cannot_fix_is_given_up_after_one_attempt(string behaviour, FetchFailureReason reason)
    {
        var requests = 0;
        await using var server = await LoopbackServer.StartAsync(context =>
        {
            Interlocked.Increment(ref requests);
            switch (behaviour)
            {
                case "too-large":
                    context.Response.ContentType = "image/png";
                    context.Response.ContentLength = 60L * 1024 * 1024;
                    // Headers sent: a handler that returns before writing anything gets a 500 from Kestrel instead.
                    return context.Response.StartAsync();
                case "html":
                    context.Response.ContentType = "text/html";
                    return context.Response.WriteAsync("<html>Access denied</html>");
                case "loop":
                    context.Response.StatusCode = StatusCodes.Status302Found;
                    context.Response.Headers.Location = context.Request.Path.ToString();
                    return Task.CompletedTask;
                default:
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    return Task.CompletedTask;
            }
        });
        var archiver = await ArchiverAsync(server);

        // Nothing advances the fake clock here: a failure taken for transient would wait for its back-off for ever.
        var result = await archiver.ArchiveAsync(Completed(server), [Output(server)], CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(reason, result.Failure!.Reason);
        Assert.Equal(1, result.Failure.Attempts);
        Assert.Equal(behaviour == "loop" ? 6 : 1, requests);
    }

    [Fact]
    public async Task A_refused_url_is_given_up_at_once()
    {
        await using var server = await LoopbackServer.StartAsync(_ => Task.CompletedTask);
        var archiver = await ArchiverAsync(server);
        var output = new OutputMedia(0, "https://169.254.169.254/latest/meta-data/out.png", "image/png", MediaKind.Image);

        var result = await archiver.ArchiveAsync(Completed(server), [output], CancellationToken.None);

        Assert.Equal(FetchFailureReason.Refused, result.Failure!.Reason);
        Assert.Equal(1, result.Failure.Attempts);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (Directory.Exists(_temp))
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    private async Task<OutputArchiver> ArchiverAsync(LoopbackServer server)
    {
        var stack = await SharedStack.GetAsync();
        var options = Options.Create(new ArchiverOptions
        {
            Download = new DownloadOptions
            {
                TempDirectory = _temp,
                LoopbackOrigins = [server.OriginText],
                RetryDeadline = Deadline,
                InitialBackoff = TimeSpan.FromSeconds(1),
                MaxBackoff = TimeSpan.FromSeconds(30),
            },
        });
        return new OutputArchiver(new MediaDownloader(options, Options.Create(stack.S3.Options)), stack.S3.CreateStore(), options,
            new ArchiverMetrics(_services.GetRequiredService<IMeterFactory>()), _time, NullLogger<OutputArchiver>.Instance);
    }

    /// <summary>Moves the fake clock on while <paramref name="task"/> runs, so that its pauses pass.</summary>
    private async Task<T> RunOnFakeClockAsync<T>(Task<T> task)
    {
        while (!task.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }

        return await task;
    }

    private static OutputMedia Output(LoopbackServer server) => new(0, server.Url("out-0.png"), "image/png", MediaKind.Image);

    private static TransformationCompleted Completed(LoopbackServer server) =>
        TestEvents.Completed("tenant-a", Provider.Replicate, "black-forest-labs/flux-dev", [(server.Url("out-0.png"), MediaKind.Image)], 0.025m, "usd");
}
