using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.Providers;
using ContractCreditSource = CinematicSwitch.Contracts.Events.CreditSource;
using ContractErrorCode = CinematicSwitch.Contracts.Events.ErrorCode;
using ProviderCreditSource = CinematicSwitch.Providers.CreditSource;

namespace CinematicSwitch.Processor.Handling;

/// <summary>Translations between the event contracts and the provider library.</summary>
internal static class RequestMapping
{
    public static GenerationTask? TaskOf(TransformationTask task) => task switch
    {
        TransformationTask.ImageTransform => GenerationTask.ImageTransform,
        TransformationTask.ImageToVideo => GenerationTask.ImageToVideo,
        TransformationTask.TextToVideo => GenerationTask.TextToVideo,
        TransformationTask.VideoToVideo => GenerationTask.VideoToVideo,
        _ => null,
    };

    public static GenerationRequest ToGeneration(TransformationRequested request, GenerationTask task, MediaInput? media) => new(
        request.RequestId,
        request.TenantId,
        task,
        media,
        request.SceneDescription,
        request.StylePreset,
        request.Prompt,
        request.OutputCount,
        request.AspectRatio,
        request.Video is { } video ? new VideoSpec(video.DurationSeconds, video.SeamlessLoop, video.Seed, video.CameraMotion) : null,
        request.Provider switch
        {
            Contracts.Events.Provider.Replicate => ProviderName.Replicate,
            Contracts.Events.Provider.Runway => ProviderName.Runway,
            Contracts.Events.Provider.Leonardo => ProviderName.Leonardo,
            _ => null,
        });

    public static TransformationCompleted Completed(TransformationRequested request, GenerationResult result, DateTimeOffset now)
    {
        // Variations in order, the clips of a chained video in order within their variation: a video's clips share its
        // index (the variation, from 0), and the archiver joins them into one video.
        var outputs = result.Outputs
            .OrderBy(o => o.Index).ThenBy(o => o.Segment)
            .Select(o => new OutputMedia(o.Index - 1, o.Url, o.ContentType, o.IsVideo ? MediaKind.Video : MediaKind.Image))
            .ToList();
        return new TransformationCompleted(
            request.RequestId, request.TenantId, request.CorrelationId, request.Requester, now,
            ProviderOf(result.Provider), result.Model, outputs, request.OutputCount, result.Warnings,
            ProcessingTimeMs: (long)Math.Max(0, (now - request.OccurredAt).TotalMilliseconds),
            ProviderTimeMs: (long)result.ProviderTime.TotalMilliseconds,
            result.Credits, result.CreditUnit,
            result.CreditSource == ProviderCreditSource.ProviderResponse ? ContractCreditSource.Reported : ContractCreditSource.RateTable,
            result.ProviderJobIds,
            result.FallbackFrom is { } from ? ProviderOf(from) : null,
            result.FallbackReason,
            request)
        {
            Seeds = result.Seeds,
        };
    }

    public static TransformationFailed Failed(TransformationRequested request, ErrorInfo error, DateTimeOffset now) =>
        new(request.RequestId, request.TenantId, request.CorrelationId, request.Requester, now, FailureStage.Processing, error, request);

    /// <summary>A provider failure as events carry it: the user-facing message, the provider's own words in details.</summary>
    public static ErrorInfo ErrorOf(ProviderFailure failure)
    {
        var code = failure.Code switch
        {
            ProviderErrorCode.InvalidInput => ContractErrorCode.InvalidInput,
            ProviderErrorCode.InputValidation => ContractErrorCode.InputValidationError,
            ProviderErrorCode.QuotaExceeded => ContractErrorCode.QuotaExceededError,
            ProviderErrorCode.Timeout => ContractErrorCode.TimeoutError,
            _ => ContractErrorCode.ProviderError,
        };
        var details = new Dictionary<string, string>(failure.Details, StringComparer.Ordinal) { ["reason"] = failure.Message };
        var message = code switch
        {
            // Media a provider could not use: the spec's own message about media.
            ContractErrorCode.InvalidInput when failure.Details.GetValueOrDefault("owner") == "user" => UserMessages.MediaUpload,
            // The runner's refusals say which limit the request broke; they carry no user content.
            ContractErrorCode.InvalidInput => failure.Message,
            ContractErrorCode.TimeoutError => UserMessages.Timeout,
            _ => UserMessages.TransformationFailed,
        };
        return new ErrorInfo(code, message, failure.Provider is { } provider ? ProviderOf(provider) : null, failure.HttpStatus, details);
    }

    public static ErrorInfo InvalidInput(string message, string field) =>
        new(ContractErrorCode.InvalidInput, message, null, null, new Dictionary<string, string> { ["field"] = field });

    public static Contracts.Events.Provider ProviderOf(ProviderName provider) => provider switch
    {
        ProviderName.Replicate => Contracts.Events.Provider.Replicate,
        ProviderName.Runway => Contracts.Events.Provider.Runway,
        ProviderName.Leonardo => Contracts.Events.Provider.Leonardo,
        _ => Contracts.Events.Provider.Unknown,
    };
}
