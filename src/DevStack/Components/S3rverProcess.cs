using System.Diagnostics;
using System.Text.RegularExpressions;

namespace CinematicSwitch.DevStack.Components;

/// <summary>
/// s3rver (npm, installed through the repository's package.json) as a child process: an S3-compatible
/// endpoint on loopback for the embedded stack and the tests. It needs path-style addressing and
/// unchunked uploads (see S3Options). It ends with the process that started it (see <see cref="ChildProcesses"/>).
/// </summary>
public sealed partial class S3rverProcess : IAsyncDisposable
{
    private readonly Process _process;

    private S3rverProcess(Process process, Uri endpoint, string dataDirectory)
    {
        _process = process;
        Endpoint = endpoint;
        DataDirectory = dataDirectory;
    }

    public Uri Endpoint { get; }

    public string DataDirectory { get; }

    /// <summary>s3rver accepts any well-formed credentials; these are what clients are given.</summary>
    public const string AccessKey = "S3RVER";

    public const string SecretKey = "S3RVER";

    public static async Task<S3rverProcess> StartAsync(string dataDirectory, IEnumerable<string> buckets, int port, CancellationToken cancellationToken)
    {
        var script = Path.Combine(RepositoryLayout.NodeModules, "s3rver", "bin", "s3rver.js");
        if (!File.Exists(script))
        {
            throw new FileNotFoundException("s3rver is not installed: run scripts/bootstrap.sh (npm ci).", script);
        }

        Directory.CreateDirectory(dataDirectory);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // s3rver makes ListObjectsV2 continuation tokens with DES, which OpenSSL 3 keeps in its legacy provider: without
        // it, any listing longer than its page fails (a readiness check listing one key fails once a bucket has two).
        foreach (var arg in new[] { "--openssl-legacy-provider", script, "--directory", dataDirectory, "--address", "127.0.0.1", "--port", port.ToString() })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var bucket in buckets)
        {
            start.ArgumentList.Add("--configure-bucket");
            start.ArgumentList.Add(bucket);
        }

        var process = ChildProcesses.Start(start);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && ListeningLine().Match(line) is { Success: true } match)
            {
                listening.TrySetResult(new Uri($"http://{match.Groups[1].Value}"));
            }
        };
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                errors.Enqueue(line);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(
            new InvalidOperationException($"s3rver exited with code {process.ExitCode}: {string.Join(" | ", errors.TakeLast(5))}"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            var endpoint = await listening.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return new S3rverProcess(process, endpoint, dataDirectory);
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"listening on ([0-9.]+:\d+)")]
    private static partial Regex ListeningLine();
}
