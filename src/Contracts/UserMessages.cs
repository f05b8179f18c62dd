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
}
