using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;

namespace CinematicSwitch.Processor.Handling;

/// <summary>
/// The service spec's rules, checked again on the event: upstream producers publish requests without going
/// through Ingest, and a request that breaks them fails with INVALID_INPUT instead of reaching a provider.
/// </summary>
internal static class RequestValidation
{
    public static ErrorInfo? Validate(TransformationRequested request)
    {
        var description = request.SceneDescription?.Trim() ?? "";
        if (description.Length is < 10 or > 2000 && request.Prompt is null)
        {
            return RequestMapping.InvalidInput(UserMessages.TextValidation, "scene_description");
        }

        if (request.OutputCount is < 1 or > 5)
        {
            return RequestMapping.InvalidInput("output_count must be between 1 and 5", "output_count");
        }

        if (!request.Task.IsKnown())
        {
            return RequestMapping.InvalidInput("Unsupported task", "task");
        }

        var needsMedia = request.Task is not TransformationTask.TextToVideo;
        if (needsMedia && request.Media is null)
        {
            return RequestMapping.InvalidInput(UserMessages.MediaUpload, "media");
        }

        return null;
    }
}
