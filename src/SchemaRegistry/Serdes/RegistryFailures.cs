using System.Net;
using Confluent.SchemaRegistry;

namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// Confluent's <see cref="SchemaRegistryException"/> is an <see cref="HttpRequestException"/>, which the stream runtime
/// retries. A client error (4xx) is an answer, not an outage: asking again gets the same one, so it becomes an
/// <see cref="AvroSerdeException"/>, without the registry's exception as its cause. 408 and 429 stay retriable.
/// </summary>
internal static class RegistryFailures
{
    public static bool IsRefusal(SchemaRegistryException e) =>
        (int)e.Status is >= 400 and < 500 && e.Status is not HttpStatusCode.RequestTimeout and not HttpStatusCode.TooManyRequests;

    public static AvroSerdeException Refused(SchemaRegistryException e, string what, int? schemaId = null) =>
        new(AvroSerdeError.RegistryRefused, $"The schema registry refused to {what}: {(int)e.Status} {e.Message}", schemaId)
        {
            Status = e.Status,
            RegistryErrorCode = e.ErrorCode,
        };
}
