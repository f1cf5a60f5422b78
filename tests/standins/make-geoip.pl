#!/usr/bin/perl
# Build a small MaxMind GeoIP2-City-shaped database from the stand-ins'
# fixture (wire-formats.md §4: the service reads location.latitude and
# location.longitude).
#
#   perl make-geoip.pl fixture.json out.mmdb
#
# Every entry of fixture.geoip.networks becomes one network.  An entry with
# "unlocatable": true is written without "location" and "city" (present but
# not locatable, as some GeoLite2-City records are); every address outside
# the listed networks is absent.  Needs Debian's libmaxmind-db-writer-perl.
use strict;
use warnings;
use JSON::PP;
use MaxMind::DB::Writer::Tree;

@ARGV == 2 or die "usage: $0 fixture.json out.mmdb\n";
my ($fixture_path, $out_path) = @ARGV;

open my $in, '<:raw', $fixture_path or die "$fixture_path: $!\n";
my $fixture = JSON::PP->new->decode(do { local $/; <$in> });
close $in;
my $geo = $fixture->{geoip} or die "$fixture_path: no geoip section\n";

my %types = (
    city => 'map', continent => 'map', country => 'map', location => 'map',
    registered_country => 'map', names => 'map',
    en => 'utf8_string', code => 'utf8_string', iso_code => 'utf8_string',
    time_zone => 'utf8_string', geoname_id => 'uint32',
    latitude => 'double', longitude => 'double', accuracy_radius => 'uint16',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => 6,
    record_size              => 28,
    database_type            => $geo->{database_type} // 'GeoIP2-City',
    languages                => ['en'],
    description              => { en => 'rucio-ivoa-fcgi test GeoIP2-City database' },
    map_key_type_callback    => sub { $types{ $_[0] } // die "no type for key $_[0]\n" },
    remove_reserved_networks => 0,
    alias_ipv6_to_ipv4       => 1,
);

my %continents = (AF => 'Africa', AN => 'Antarctica', AS => 'Asia', EU => 'Europe',
                  NA => 'North America', OC => 'Oceania', SA => 'South America');
my $id = 1000;
for my $n (@{ $geo->{networks} }) {
    my $country = { iso_code => $n->{country}, geoname_id => ++$id,
                    names => { en => $n->{country_name} } };
    my %record = (
        continent          => { code => $n->{continent}, geoname_id => ++$id,
                                names => { en => $continents{ $n->{continent} } } },
        country            => $country,
        registered_country => $country,
    );
    unless ($n->{unlocatable}) {
        $record{city} = { geoname_id => ++$id, names => { en => $n->{city} } };
        $record{location} = {
            latitude        => $n->{latitude} + 0.0,
            longitude       => $n->{longitude} + 0.0,
            accuracy_radius => $n->{accuracy_radius} // 100,
            time_zone       => $n->{time_zone},
        };
    }
    $tree->insert_network($n->{network}, \%record);
}

open my $out, '>:raw', $out_path or die "$out_path: $!\n";
$tree->write_tree($out);
close $out or die "$out_path: $!\n";
