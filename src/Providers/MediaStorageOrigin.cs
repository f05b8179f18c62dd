namespace CinematicSwitch.Providers;

/// <summary>
/// The object storage whose presigned links the host hands to the adapters (the processor's S3 endpoint): the one origin
/// their media reads may reach at a private or loopback address, on a first hop only. Registered by the host; none by default.
/// </summary>
public sealed record MediaStorageOrigin(Uri Origin);
