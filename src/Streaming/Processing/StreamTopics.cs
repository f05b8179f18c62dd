namespace CinematicSwitch.Streaming.Processing;

/// <summary>
/// The topics a stream processor works with: its input, its changelog (partitioned at least like the input),
/// its dead-letter topic (likewise), and every topic its outputs may go to.
/// </summary>
public sealed record StreamTopics(string Input, string State, string DeadLetter, IReadOnlyList<string> Outputs);
