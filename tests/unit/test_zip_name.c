/*
 * test_zip_name.c — unique ZIP entry names (src/util/zip_name.c): sanitised directory and file
 * components, " (k)" before the extension on a case-insensitive clash, names that already look
 * like a suffixed one, many copies, and a suffix on a name at the length limit.
 */
#include <stdio.h>
#include <stdlib.h>

#include "test_util.h"
#include "util/zip_name.h"

static void expect(zip_names_t *z, const char *dir, const char *name, const char *want)
{
    char out[ZIP_NAME_MAX + 1];
    assert_int_equal(zip_names_unique(z, dir, name, out), 0);
    assert_string_equal(out, want);
}

static void test_zip_name_clashes_get_a_number_before_the_extension(void **state)
{
    (void)state;
    zip_names_t *z = zip_names_new();
    assert_non_null(z);
    expect(z, NULL, "banner.png", "banner.png");
    expect(z, "", "Banner.PNG", "Banner (2).PNG");
    expect(z, NULL, "banner.png", "banner (3).png");
    expect(z, NULL, "banner (4).png", "banner (4).png");
    expect(z, NULL, "banner.png", "banner (5).png"); /* (4) is taken: skipped */
    expect(z, NULL, "README", "README");
    expect(z, NULL, "readme", "readme (2)");
    expect(z, NULL, "archive.tar.gz", "archive.tar.gz");
    expect(z, NULL, "archive.tar.gz", "archive.tar (2).gz");
    zip_names_free(z);
}

static void test_zip_name_components_are_sanitised(void **state)
{
    (void)state;
    zip_names_t *z = zip_names_new();
    expect(z, "Offer A", "banner.png", "Offer A/banner.png");
    expect(z, "offer a", "BANNER.png", "offer a/BANNER (2).png");
    expect(z, "../../etc", "../passwd", "etc/passwd");
    expect(z, "/abs/dir", "C:\\x\\y.png", "dir/y.png");
    expect(z, "..", "..", "folder/file");
    expect(z, "..", "", "folder/file (2)");
    expect(z, NULL,
           "\xe2\x80\xae"
           "gnp.exe",
           "gnp.exe");
    expect(z, "Offer B", "banner.png", "Offer B/banner.png"); /* another folder: no clash */
    zip_names_free(z);
    zip_names_free(NULL);
}

static void test_zip_name_many_copies_stay_unique(void **state)
{
    (void)state;
    zip_names_t *z = zip_names_new();
    char out[ZIP_NAME_MAX + 1], want[64];
    for (int i = 1; i <= 1000; i++) { /* grows the set past its first size several times */
        assert_int_equal(zip_names_unique(z, "d", "x.png", out), 0);
        if (i == 1)
            snprintf(want, sizeof want, "d/x.png");
        else
            snprintf(want, sizeof want, "d/x (%d).png", i);
        assert_string_equal(out, want);
    }
    zip_names_free(z);
}

static void test_zip_name_suffix_keeps_the_name_within_the_limit(void **state)
{
    (void)state;
    char name[FILE_NAME_MAX + 8], out[ZIP_NAME_MAX + 1];
    /* 250 bytes, a 2-byte "é", ".png": 256 bytes */
    memset(name, 'a', 250);
    memcpy(name + 250, "\xc3\xa9.png", 7);
    assert_int_equal(strlen(name), FILE_NAME_MAX + 1); /* one too many: the sanitiser cuts it */
    zip_names_t *z = zip_names_new();
    assert_int_equal(zip_names_unique(z, NULL, name, out), 0);
    assert_int_equal(strlen(out), 254); /* 250 'a', the 'é' does not fit whole, ".png" */
    assert_int_equal(zip_names_unique(z, NULL, name, out), 0);
    assert_int_equal(strlen(out), FILE_NAME_MAX);
    assert_string_equal(out + 247, " (2).png");
    /* a name with a long dir component: both components at their maximum */
    char dir[400];
    memset(dir, 'd', sizeof dir - 1);
    dir[sizeof dir - 1] = '\0';
    assert_int_equal(zip_names_unique(z, dir, name, out), 0);
    assert_int_equal(strlen(out), FILE_NAME_MAX + 1 + 254);
    assert_int_equal(zip_names_unique(z, dir, name, out), 0);
    assert_int_equal(strlen(out), ZIP_NAME_MAX);
    zip_names_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zip_name_clashes_get_a_number_before_the_extension),
        cmocka_unit_test(test_zip_name_components_are_sanitised),
        cmocka_unit_test(test_zip_name_many_copies_stay_unique),
        cmocka_unit_test(test_zip_name_suffix_keeps_the_name_within_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
