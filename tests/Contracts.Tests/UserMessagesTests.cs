namespace CinematicSwitch.Contracts.Tests;

/// <summary>Field names in messages come from clients: an empty, huge or control-laden name still gives a readable one-line message.</summary>
public sealed class UserMessagesTests
{
    [Theory]
    [InlineData("scene_description", "Invalid value for field: scene_description")]
    [InlineData("", "Invalid value for field: (unnamed)")]
    [InlineData("\r\n", "Invalid value for field: (unnamed)")]
    [InlineData("bad\r\nX-Forged: 1", "Invalid value for field: badX-Forged: 1")]
    public void A_field_name_is_shown_on_one_line(string field, string expected) => Assert.Equal(expected, UserMessages.InvalidField(field));

    [Fact]
    public void A_huge_field_name_is_cut()
    {
        var message = UserMessages.MissingField(new string('a', 70_000));

        Assert.Equal("Missing required field: " + new string('a', 64) + "...", message);
    }
}
