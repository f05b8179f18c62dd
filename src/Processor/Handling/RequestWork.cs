using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers;

namespace CinematicSwitch.Processor.Handling;

/// <summary>
/// A request as validated and mapped once, when it is admitted: the generation to run (its media still to be resolved),
/// or the INVALID_INPUT answer it gets without any provider call.
/// </summary>
internal sealed record RequestWork(TransformationRequested Request, GenerationRequest? Generation, ErrorInfo? Refusal);
