using CinematicSwitch.Avro.Codec;

namespace CinematicSwitch.Avro.Tests;

public sealed class NamingTests
{
    [Theory]
    [InlineData("RequestId", "request_id")]
    [InlineData("Id", "id")]
    [InlineData("S3Key", "s3_key")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("Mp4Url", "mp4_url")]
    [InlineData("already_snake", "already_snake")]
    public void Pascal_case_members_map_to_snake_case_fields(string member, string field) => Assert.Equal(field, Naming.ToSnakeCase(member));

    [Theory]
    [InlineData("ImageToVideo", "IMAGE_TO_VIDEO")]
    [InlineData("QuotaExceededError", "QUOTA_EXCEEDED_ERROR")]
    [InlineData("Timeout", "TIMEOUT")]
    public void Enum_members_map_to_upper_snake_symbols(string member, string symbol) => Assert.Equal(symbol, Naming.ToUpperSnakeCase(member));
}
