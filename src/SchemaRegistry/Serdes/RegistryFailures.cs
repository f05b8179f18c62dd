using System.Net;
using Confluent.SchemaRegistry;

namespace CinematicSwitch.SchemaRegistry.Serdes;

/// <summary>
/// Confluent's <see cref="SchemaRegistryException"/> is an <see cref="HttpRequestException"/>, which the stream runtime
/// retries. A client error (4xx) about the request is an answer, not an outage: asking again gets the same one, so it
/// becomes an <see cref="AvroSerdeException"/>, without the registry's exception as its cause. Refused credentials (401,
/// 403) and 408 and 429 stay retriable: they say nothing about the value, and a stream that dead-lettered every record
/// while its registry password was wrong would lose them all; its partitions stop instead, shown stuck, until it is fixed.
/// </summary>
internal static class RegistryFailures
{
    public static bool IsRefusal(SchemaRegistryException e) =>
        (int)e.Status is >= 400 and < 500 && e.Status is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests
            or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden);

    public static AvroSerdeException Refused(SchemaRegistryException e, string what, int? schemaId = null) =>
        new(AvroSerdeError.RegistryRefused, $"The schema registry refused to {what}: {(int)e.Status} {e.Message}", schemaId)
        {
            Status = e.Status,
            RegistryErrorCode = e.ErrorCode,
        };
}
