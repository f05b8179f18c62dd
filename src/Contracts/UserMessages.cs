namespace CinematicSwitch.Contracts;

/// <summary>The service spec's exact user-facing messages ("Exit States", "Error States").</summary>
public static class UserMessages
{
    public const string MediaUpload =
        "Please upload a valid image or video file (JPG, PNG, MP4, or MOV, max 16MB for images, 100MB for videos)";

    public const string TextValidation = "Please provide a scene or style description (50-500 words recommended)";

    public const string TransformationFailed = "Transformation failed. Please try again with a different description or media.";

    public const string Timeout = "Processing took too long. Please try again.";

    public const string UnsupportedFormat = "Unsupported file format. Please use JPG, PNG, MP4, or MOV.";

    /// <summary>The spec's validation error example ("Missing required field: scene_description"), for any field.</summary>
    public static string MissingField(string field) => $"Missing required field: {Shown(field)}";

    /// <summary>A field present with a value the API does not accept, in the same style.</summary>
    public static string InvalidField(string field) => $"Invalid value for field: {Shown(field)}";

    /// <summary>A field name as a client sent it can be empty, huge or hold control characters: the message names it readably.</summary>
    private static string Shown(string field)
    {
        const int MaxLength = 64;
        var printable = new string([.. field.Where(c => !char.IsControl(c))]).Trim();
        return printable.Length == 0 ? "(unnamed)" : printable.Length > MaxLength ? printable[..MaxLength] + "..." : printable;
    }

    // Situations the spec does not describe (authentication, unknown ids, outages), worded in its style.
    public const string Unauthorized = "A valid API key is required. Send it as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.";

    public const string RequestNotFound = "Request not found.";

    public const string EndpointNotFound = "Endpoint not found.";

    public const string MethodNotAllowed = "This endpoint does not accept that method.";

    public const string TooManyUploads = "Too many uploads in progress for this account. Please try again shortly.";

    public const string ServiceUnavailable = "The service is temporarily unavailable. Please try again.";

    public const string OutcomeUnknown =
        "The request was received, but its acceptance is not confirmed yet. Please retry with the same Idempotency-Key, or follow the request id.";

    public const string IdempotencyInProgress = "A request with this Idempotency-Key is still being processed. Please retry shortly.";

    public const string UnsupportedContentType = "Send the request as multipart/form-data or application/json.";

    public const string InvalidJson = "The request body is not valid JSON.";

    public const string InternalError = "Something went wrong on our side. Please try again.";
}
