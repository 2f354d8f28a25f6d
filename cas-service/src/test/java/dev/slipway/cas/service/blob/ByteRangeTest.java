package dev.slipway.cas.service.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {

    @Test
    void readsTheThreeSingleRangeForms() throws Exception {
        assertEquals(Optional.of(new ByteRange(10, 5)), ByteRange.parse("bytes=10-14", 100));
        assertEquals(Optional.of(new ByteRange(90, 10)), ByteRange.parse("bytes=90-", 100));
        assertEquals(Optional.of(new ByteRange(96, 4)), ByteRange.parse("bytes=-4", 100));
    }

    @Test
    void clampsARangeThatRunsPastTheEnd() throws Exception {
        assertEquals(Optional.of(new ByteRange(95, 5)), ByteRange.parse("bytes=95-500", 100));
        assertEquals(Optional.of(new ByteRange(0, 100)), ByteRange.parse("bytes=-500", 100));
        assertEquals("bytes 95-99/100", new ByteRange(95, 5).contentRange(100));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=0-1,5-6", "items=0-5", "bytes=-", "nonsense", "bytes=50-40"})
    void servesTheWholeBlobForWhatItDoesNotHandle(String header) throws Exception {
        assertEquals(Optional.empty(), ByteRange.parse(header, 100));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=100-", "bytes=-0", "bytes=99999999999999999999-"})
    void refusesRangesOutsideTheBlob(String header) {
        assertThrows(ByteRange.Unsatisfiable.class, () -> ByteRange.parse(header, 100));
    }

    @Test
    void anEmptyBlobIsSentWholeForASuffixAndHasNoFirstByteToStartAt() throws Exception {
        assertEquals(Optional.empty(), ByteRange.parse("bytes=-5", 0), "not 206 with 'bytes 0--1/0'");
        assertThrows(ByteRange.Unsatisfiable.class, () -> ByteRange.parse("bytes=0-", 0));
    }
}
