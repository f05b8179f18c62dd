using System.Net;
using Amazon.S3;
using CinematicSwitch.Contracts;
using CinematicSwitch.Contracts.Events;
using CinematicSwitch.ServiceDefaults.Storage;

namespace CinematicSwitch.Ops.Replay;

/// <summary>Whether a request about to be replayed still has its input: retention deletes inputs a while after the outcome.</summary>
internal static class InputCheck
{
    /// <summary>
    /// <see cref="RetentionCodes.InputExpired"/> when the request's media is an S3 object that no longer exists, else
    /// null (an https URL, or no media, is not ours to judge: the processor does). Other S3 errors are thrown: whether
    /// a replay can work is then unknown, and the command stops before publishing anything.
    /// </summary>
    public static async Task<string?> ExpiredAsync(ObjectStore store, TransformationRequested request, CancellationToken cancellationToken)
    {
        if (request.Media?.Uri is not { } uri || !uri.StartsWith("s3://", StringComparison.Ordinal))
        {
            return null;
        }

        S3ObjectRef location;
        try
        {
            location = S3ObjectRef.Parse(uri);
        }
        catch (FormatException)
        {
            return null;
        }

        try
        {
            await store.Client.GetObjectMetadataAsync(location.Bucket, location.Key, cancellationToken);
            return null;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return RetentionCodes.InputExpired;
        }
    }
}
