using System.Collections.Concurrent;
using System.Diagnostics;

namespace CinematicSwitch.DevStack.Components;

/// <summary>
/// Starts the stack's child processes (the services, s3rver) so that none outlives the process that started it,
/// however that one ends, SIGKILL included. Each child runs under util-linux's <c>setpriv --pdeathsig</c>: the kernel
/// signals the child when the thread that forked it ends. So every child is forked by one thread that lives as long
/// as this process; a thread-pool thread may retire while its children still run.
/// </summary>
public static class ChildProcesses
{
    private static readonly BlockingCollection<Launch> Pending = [];

    static ChildProcesses()
    {
        new Thread(() =>
        {
            foreach (var launch in Pending.GetConsumingEnumerable())
            {
                launch.Run();
            }
        })
        {
            IsBackground = true,
            Name = "child process launcher",
        }.Start();
    }

    /// <summary>
    /// Starts <paramref name="start"/>'s program under setpriv, which then becomes that program (same process id).
    /// <paramref name="start"/> is changed to do so; its arguments must be in its ArgumentList.
    /// </summary>
    /// <remarks>
    /// The child gets SIGKILL, not SIGTERM: what it talks to (the embedded Kafka, registry, S3) lived in the process
    /// that ended, so there is nothing left to stop cleanly for; and a child that was stopped (SIGSTOP) when that
    /// happened keeps a SIGTERM pending and stays stopped for good, as some s3rvers did after a loaded test run.
    /// </remarks>
    public static Process Start(ProcessStartInfo start)
    {
        ArgumentNullException.ThrowIfNull(start);
        var program = start.FileName;
        string[] prefix = ["--pdeathsig", "KILL", "--", program];
        for (var i = 0; i < prefix.Length; i++)
        {
            start.ArgumentList.Insert(i, prefix[i]);
        }

        start.FileName = "setpriv";
        var launch = new Launch(start, program);
        Pending.Add(launch);
        return launch.Started.Task.GetAwaiter().GetResult();
    }

    private sealed class Launch(ProcessStartInfo start, string program)
    {
        public TaskCompletionSource<Process> Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run()
        {
            try
            {
                Started.SetResult(Process.Start(start) ?? throw new InvalidOperationException($"{program} could not be started."));
            }
            catch (Exception e)
            {
                Started.SetException(e);
            }
        }
    }
}
