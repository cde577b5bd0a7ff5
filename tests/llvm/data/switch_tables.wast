;; Switches that pick constants (src/llvm/switch_table.cc), as clang compiles a C switch to a
;; br_table: on llvm, a range check, a compare per hole and a load from a table. Written by a
;; script from random constants; the interpreter checks the same expectations.
(module
  (memory 1)
  (func $pick (export "pick") (param $x i32) (result i32) (local $r i32)
    (block $out
      (block $dflt
        (block $c19
        (block $c18
        (block $c17
        (block $c16
        (block $c15
        (block $c14
        (block $c13
        (block $c12
        (block $c10
        (block $c9
        (block $c8
        (block $c7
        (block $c6
        (block $c4
        (block $c3
        (block $c2
        (block $c1
        (block $c0
          (br_table $c0 $c1 $c2 $c3 $c4 $dflt $c6 $c7 $c8 $c9 $c10 $dflt $c12 $c13 $c14 $c15 $c16 $c17 $c18 $c19 $dflt (i32.add (local.get $x) (i32.const 3))))
        (local.set $r (i32.const 912006184)) (br $out))
        (local.set $r (i32.const -1363257452)) (br $out))
        (local.set $r (i32.const 2140107612)) (br $out))
        (local.set $r (i32.const -1313849899)) (br $out))
        (local.set $r (i32.const 887188596)) (br $out))
        (local.set $r (i32.const 1142215581)) (br $out))
        (local.set $r (i32.const -251780636)) (br $out))
        (local.set $r (i32.const -1651012212)) (br $out))
        (local.set $r (i32.const 72561223)) (br $out))
        (local.set $r (i32.const 1967785814)) (br $out))
        (local.set $r (i32.const -839232411)) (br $out))
        (local.set $r (i32.const 1119079266)) (br $out))
        (local.set $r (i32.const -835980166)) (br $out))
        (local.set $r (i32.const 1690888754)) (br $out))
        (local.set $r (i32.const 1823781492)) (br $out))
        (local.set $r (i32.const -789550905)) (br $out))
        (local.set $r (i32.const -1848509130)) (br $out))
        (local.set $r (i32.const -1731279749)) (br $out))
      (local.set $r (i32.mul (local.get $x) (i32.const 3))))
    (local.get $r))
  (func $pick2 (export "pick2") (param $x i32) (result i64) (local $a i32) (local $b i64)
    (block $out
      (block $dflt
        (block $c39
        (block $c38
        (block $c37
        (block $c36
        (block $c35
        (block $c34
        (block $c33
        (block $c32
        (block $c31
        (block $c30
        (block $c29
        (block $c28
        (block $c27
        (block $c26
        (block $c25
        (block $c24
        (block $c23
        (block $c22
        (block $c21
        (block $c20
        (block $c19
        (block $c18
        (block $c17
        (block $c16
        (block $c15
        (block $c14
        (block $c13
        (block $c12
        (block $c11
        (block $c10
        (block $c9
        (block $c8
        (block $c7
        (block $c6
        (block $c5
        (block $c4
        (block $c3
        (block $c2
        (block $c1
        (block $c0
          (br_table $c0 $c1 $c2 $c3 $c4 $c5 $c6 $c7 $c8 $c9 $c10 $c11 $c12 $c13 $c14 $c15 $c16 $c17 $c18 $c19 $c20 $c21 $c22 $c23 $c24 $c25 $c26 $c27 $c28 $c29 $c30 $c31 $c32 $c33 $c34 $c35 $c36 $c37 $c38 $c39 $dflt (i32.add (local.get $x) (i32.const 0))))
        (local.set $a (i32.const 1284500622)) (local.set $b (i64.const 6635787189535025601)) (br $out))
        (local.set $a (i32.const 1042753940)) (local.set $b (i64.const -5569511305406702409)) (br $out))
        (local.set $a (i32.const 328008058)) (local.set $b (i64.const -3241866074892649821)) (br $out))
        (local.set $a (i32.const 1217515785)) (local.set $b (i64.const 100447244008829505)) (br $out))
        (local.set $a (i32.const 1138194629)) (local.set $b (i64.const 5466149552135832149)) (br $out))
        (local.set $a (i32.const -1560687948)) (local.set $b (i64.const -4973274269999909186)) (br $out))
        (local.set $a (i32.const -833244482)) (local.set $b (i64.const -573964525615160999)) (br $out))
        (local.set $a (i32.const 1424325054)) (local.set $b (i64.const 5063287025925518703)) (br $out))
        (local.set $a (i32.const 1399299948)) (local.set $b (i64.const 7472806843396022589)) (br $out))
        (local.set $a (i32.const -2002494167)) (local.set $b (i64.const -1129578227161584817)) (br $out))
        (local.set $a (i32.const -1762501189)) (local.set $b (i64.const 9024981252920094342)) (br $out))
        (local.set $a (i32.const 908150993)) (local.set $b (i64.const 6463456355198532000)) (br $out))
        (local.set $a (i32.const 1452800286)) (local.set $b (i64.const -3634243214034157522)) (br $out))
        (local.set $a (i32.const -885443045)) (local.set $b (i64.const 5602430892130688525)) (br $out))
        (local.set $a (i32.const 1764486280)) (local.set $b (i64.const 797187904530173952)) (br $out))
        (local.set $a (i32.const -346768562)) (local.set $b (i64.const -4288634185082961286)) (br $out))
        (local.set $a (i32.const 1117743039)) (local.set $b (i64.const -343485276360331039)) (br $out))
        (local.set $a (i32.const 1257759470)) (local.set $b (i64.const 5252096661238377750)) (br $out))
        (local.set $a (i32.const 1481924122)) (local.set $b (i64.const -6756216994756135264)) (br $out))
        (local.set $a (i32.const 1397212502)) (local.set $b (i64.const 5985228259663784269)) (br $out))
        (local.set $a (i32.const -1923222511)) (local.set $b (i64.const 3701939484605082743)) (br $out))
        (local.set $a (i32.const -1934511527)) (local.set $b (i64.const -7175380188789826322)) (br $out))
        (local.set $a (i32.const 1138029821)) (local.set $b (i64.const 7727316402254708317)) (br $out))
        (local.set $a (i32.const -521994973)) (local.set $b (i64.const -2928392238862699032)) (br $out))
        (local.set $a (i32.const -1488702352)) (local.set $b (i64.const 6445909087902070744)) (br $out))
        (local.set $a (i32.const -1566694506)) (local.set $b (i64.const 7737127553173356561)) (br $out))
        (local.set $a (i32.const -164866377)) (local.set $b (i64.const -5275287498831485021)) (br $out))
        (local.set $a (i32.const 1115455283)) (local.set $b (i64.const 6865708961684626703)) (br $out))
        (local.set $a (i32.const 1558371481)) (local.set $b (i64.const -6023132642938008357)) (br $out))
        (local.set $a (i32.const 1362100291)) (local.set $b (i64.const 5993808520357558852)) (br $out))
        (local.set $a (i32.const -2093362417)) (local.set $b (i64.const -3555118874105313072)) (br $out))
        (local.set $a (i32.const -734478023)) (local.set $b (i64.const 954084393652099841)) (br $out))
        (local.set $a (i32.const 1888597028)) (local.set $b (i64.const 1269534220057751313)) (br $out))
        (local.set $a (i32.const 1855434158)) (local.set $b (i64.const 6141539489493707827)) (br $out))
        (local.set $a (i32.const -460789936)) (local.set $b (i64.const -7651064193995461364)) (br $out))
        (local.set $a (i32.const 1825864546)) (local.set $b (i64.const 8501976588185060153)) (br $out))
        (local.set $a (i32.const -370698009)) (local.set $b (i64.const -7222329301576538137)) (br $out))
        (local.set $a (i32.const 81700729)) (local.set $b (i64.const 8848122588288312880)) (br $out))
        (local.set $a (i32.const 457810020)) (local.set $b (i64.const 7110987112938854949)) (br $out))
        (local.set $a (i32.const 72350254)) (local.set $b (i64.const -6329611448484178572)) (br $out))
      (nop))
    (i64.add (i64.extend_i32_u (local.get $a)) (local.get $b)))
  (func $pickf (export "pickf") (param $x i32) (result f64) (local $f f64)
    (block $out
      (block $dflt
        (block $c19
        (block $c18
        (block $c17
        (block $c16
        (block $c15
        (block $c14
        (block $c13
        (block $c12
        (block $c11
        (block $c10
        (block $c9
        (block $c6
        (block $c5
        (block $c4
        (block $c3
        (block $c2
        (block $c1
          (br_table $dflt $c1 $c2 $c3 $c4 $c5 $c6 $dflt $dflt $c9 $c10 $c11 $c12 $c13 $c14 $c15 $c16 $c17 $c18 $c19 $dflt $dflt (i32.add (local.get $x) (i32.const -100))))
        (local.set $f (f64.const 11186.125)) (br $out))
        (local.set $f (f64.const 97719.75)) (br $out))
        (local.set $f (f64.const -7519.375)) (br $out))
        (local.set $f (f64.const -49623.375)) (br $out))
        (local.set $f (f64.const 102929.5)) (br $out))
        (local.set $f (f64.const 105599.0)) (br $out))
        (local.set $f (f64.const -82030.5)) (br $out))
        (local.set $f (f64.const -50341.25)) (br $out))
        (local.set $f (f64.const 97015.75)) (br $out))
        (local.set $f (f64.const 26860.625)) (br $out))
        (local.set $f (f64.const -87713.5)) (br $out))
        (local.set $f (f64.const -25100.0)) (br $out))
        (local.set $f (f64.const 35071.75)) (br $out))
        (local.set $f (f64.const -120775.0)) (br $out))
        (local.set $f (f64.const 108718.25)) (br $out))
        (local.set $f (f64.const 96569.0)) (br $out))
        (local.set $f (f64.const -105032.625)) (br $out))
      (local.set $f (f64.const -1)))
    (local.get $f))
  (func $pick5 (export "pick5") (param $x i32) (result i32) (local $r i32)
    (block $out
      (block $dflt
        (block $c23
        (block $c22
        (block $c21
        (block $c20
        (block $c19
        (block $c18
        (block $c17
        (block $c16
        (block $c15
        (block $c14
        (block $c13
        (block $c12
        (block $c11
        (block $c10
        (block $c8
        (block $c6
        (block $c4
        (block $c2
        (block $c0
          (br_table $c0 $dflt $c2 $dflt $c4 $dflt $c6 $dflt $c8 $dflt $c10 $c11 $c12 $c13 $c14 $c15 $c16 $c17 $c18 $c19 $c20 $c21 $c22 $c23 $dflt (i32.add (local.get $x) (i32.const 0))))
        (local.set $r (i32.const -1110264734)) (br $out))
        (local.set $r (i32.const 1781905337)) (br $out))
        (local.set $r (i32.const 1167621439)) (br $out))
        (local.set $r (i32.const 1144111328)) (br $out))
        (local.set $r (i32.const 436095275)) (br $out))
        (local.set $r (i32.const 1922923469)) (br $out))
        (local.set $r (i32.const 645908633)) (br $out))
        (local.set $r (i32.const 991230250)) (br $out))
        (local.set $r (i32.const 336006799)) (br $out))
        (local.set $r (i32.const -674090384)) (br $out))
        (local.set $r (i32.const 432073712)) (br $out))
        (local.set $r (i32.const 1081030321)) (br $out))
        (local.set $r (i32.const 1987216784)) (br $out))
        (local.set $r (i32.const 2057514640)) (br $out))
        (local.set $r (i32.const 253780518)) (br $out))
        (local.set $r (i32.const -584087486)) (br $out))
        (local.set $r (i32.const -1296035276)) (br $out))
        (local.set $r (i32.const 1021964604)) (br $out))
        (local.set $r (i32.const 1506875884)) (br $out))
      (local.set $r (i32.const -7)))
    (local.get $r))
  (func (export "map") (param $n i32) (result i32) (local $i i32) (local $sum i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 2)))
                 (call $pick (i32.sub (i32.load8_u (local.get $i)) (i32.const 8))))
      (local.set $sum (i32.add (local.get $sum) (i32.load (i32.add (i32.const 4096) (i32.shl (local.get $i) (i32.const 2))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $sum))
  (data (i32.const 0) "\11\08\04\0f\1c\14\0c\0a\00\17\1e\02\08\0a\15\11\1b\0c\07\0e\1b\12\0c\1e\0e\0d\11\1b\09\0e\07\11\07\00\08\16\1a\09\00\16\0b\1a\12\08\10\04\0d\06\1b\13\09\14\06\0e\19\0f\0a\1f\07\02\06\11\1a\1b\1e\06\12\17\1b\19\18\0a\09\13\06\1e\00\09\01\1c\02\10\04\0b\12\19\0a\17\07\10\07\16\14\10\16\15\09\0f\08\09\0e\1a\18\1a\06\1b\10\19\03\13\19\0d\18\07\11\08\0c\1d\14\0a\01\0d\0a\14\05\0a\06\0e\0e\0c\16\1c\0f\1c\0f\1e\12\0c\19\00\03\14\08\08\0c\19\0a\0d\12\07\13\16\1e\10\14\05\08\15\03\1a\1d\1b\1d\14\08\09\12\02\18\04\19\18\1b\06\0a\0f\01\10\11\0b\06\09\04\08\12\01\0c\05\1f\05\0e\1a\0a\11\1b\11\17\07\07\03\09\17\12\0a\1d\1e\09\07\17\10\02\15\0a\11\14\1d\0a\1e\19\06\12\00\01\10\04\1d\0b\0c\05\0e\08\01\0a\01\1c\05\17\02\0c\09\07\00\04\00\01\19\14\17\07\17\0a\1a\01\06\0f\1b\00\03\10\15\14\09\05\0b\1b\0c\0c\0d\11\18\12\03\18\0f\19\1c\16\18\1f\19\08\16\10\1d\0b\11\0a\0a\19\07\12\15\04\1c\15\09\1d\07\18\05")
)
(assert_return (invoke "pick" (i32.const -8)) (i32.const -24))
(assert_return (invoke "pick" (i32.const -7)) (i32.const -21))
(assert_return (invoke "pick" (i32.const -6)) (i32.const -18))
(assert_return (invoke "pick" (i32.const -5)) (i32.const -15))
(assert_return (invoke "pick" (i32.const -4)) (i32.const -12))
(assert_return (invoke "pick" (i32.const -3)) (i32.const 912006184))
(assert_return (invoke "pick" (i32.const -2)) (i32.const -1363257452))
(assert_return (invoke "pick" (i32.const -1)) (i32.const 2140107612))
(assert_return (invoke "pick" (i32.const 0)) (i32.const -1313849899))
(assert_return (invoke "pick" (i32.const 1)) (i32.const 887188596))
(assert_return (invoke "pick" (i32.const 2)) (i32.const 6))
(assert_return (invoke "pick" (i32.const 3)) (i32.const 1142215581))
(assert_return (invoke "pick" (i32.const 4)) (i32.const -251780636))
(assert_return (invoke "pick" (i32.const 5)) (i32.const -1651012212))
(assert_return (invoke "pick" (i32.const 6)) (i32.const 72561223))
(assert_return (invoke "pick" (i32.const 7)) (i32.const 1967785814))
(assert_return (invoke "pick" (i32.const 8)) (i32.const 24))
(assert_return (invoke "pick" (i32.const 9)) (i32.const -839232411))
(assert_return (invoke "pick" (i32.const 10)) (i32.const 1119079266))
(assert_return (invoke "pick" (i32.const 11)) (i32.const -835980166))
(assert_return (invoke "pick" (i32.const 12)) (i32.const 1690888754))
(assert_return (invoke "pick" (i32.const 13)) (i32.const 1823781492))
(assert_return (invoke "pick" (i32.const 14)) (i32.const -789550905))
(assert_return (invoke "pick" (i32.const 15)) (i32.const -1848509130))
(assert_return (invoke "pick" (i32.const 16)) (i32.const -1731279749))
(assert_return (invoke "pick" (i32.const 17)) (i32.const 51))
(assert_return (invoke "pick" (i32.const 18)) (i32.const 54))
(assert_return (invoke "pick" (i32.const 19)) (i32.const 57))
(assert_return (invoke "pick" (i32.const 20)) (i32.const 60))
(assert_return (invoke "pick" (i32.const 21)) (i32.const 63))
(assert_return (invoke "pick" (i32.const 22)) (i32.const 66))
(assert_return (invoke "pick" (i32.const 23)) (i32.const 69))
(assert_return (invoke "pick2" (i32.const -1)) (i64.const 0))
(assert_return (invoke "pick2" (i32.const 0)) (i64.const 6635787190819526223))
(assert_return (invoke "pick2" (i32.const 1)) (i64.const -5569511304363948469))
(assert_return (invoke "pick2" (i32.const 2)) (i64.const -3241866074564641763))
(assert_return (invoke "pick2" (i32.const 17)) (i64.const 5252096662496137220))
(assert_return (invoke "pick2" (i32.const 38)) (i64.const 7110987113396664969))
(assert_return (invoke "pick2" (i32.const 39)) (i64.const -6329611448411828318))
(assert_return (invoke "pick2" (i32.const 40)) (i64.const 0))
(assert_return (invoke "pick2" (i32.const 41)) (i64.const 0))
(assert_return (invoke "pick2" (i32.const 2147483647)) (i64.const 0))
(assert_return (invoke "pick2" (i32.const -2147483648)) (i64.const 0))
(assert_return (invoke "pickf" (i32.const 98)) (f64.const -1.0))
(assert_return (invoke "pickf" (i32.const 99)) (f64.const -1.0))
(assert_return (invoke "pickf" (i32.const 100)) (f64.const -1.0))
(assert_return (invoke "pickf" (i32.const 101)) (f64.const 11186.125))
(assert_return (invoke "pickf" (i32.const 102)) (f64.const 97719.75))
(assert_return (invoke "pickf" (i32.const 103)) (f64.const -7519.375))
(assert_return (invoke "pickf" (i32.const 104)) (f64.const -49623.375))
(assert_return (invoke "pickf" (i32.const 105)) (f64.const 102929.5))
(assert_return (invoke "pickf" (i32.const 106)) (f64.const 105599.0))
(assert_return (invoke "pickf" (i32.const 107)) (f64.const -1.0))
(assert_return (invoke "pickf" (i32.const 108)) (f64.const -1.0))
(assert_return (invoke "pickf" (i32.const 109)) (f64.const -82030.5))
(assert_return (invoke "pickf" (i32.const 110)) (f64.const -50341.25))
(assert_return (invoke "pickf" (i32.const 111)) (f64.const 97015.75))
(assert_return (invoke "pickf" (i32.const 112)) (f64.const 26860.625))
(assert_return (invoke "pickf" (i32.const 113)) (f64.const -87713.5))
(assert_return (invoke "pickf" (i32.const 114)) (f64.const -25100.0))
(assert_return (invoke "pickf" (i32.const 115)) (f64.const 35071.75))
(assert_return (invoke "pickf" (i32.const 116)) (f64.const -120775.0))
(assert_return (invoke "pickf" (i32.const 117)) (f64.const 108718.25))
(assert_return (invoke "pickf" (i32.const 118)) (f64.const 96569.0))
(assert_return (invoke "pickf" (i32.const 119)) (f64.const -105032.625))
(assert_return (invoke "pickf" (i32.const 120)) (f64.const -1.0))
(assert_return (invoke "pickf" (i32.const 121)) (f64.const -1.0))
(assert_return (invoke "pickf" (i32.const 122)) (f64.const -1.0))
(assert_return (invoke "pickf" (i32.const 123)) (f64.const -1.0))
(assert_return (invoke "pick5" (i32.const -2)) (i32.const -7))
(assert_return (invoke "pick5" (i32.const -1)) (i32.const -7))
(assert_return (invoke "pick5" (i32.const 0)) (i32.const -1110264734))
(assert_return (invoke "pick5" (i32.const 1)) (i32.const -7))
(assert_return (invoke "pick5" (i32.const 2)) (i32.const 1781905337))
(assert_return (invoke "pick5" (i32.const 3)) (i32.const -7))
(assert_return (invoke "pick5" (i32.const 4)) (i32.const 1167621439))
(assert_return (invoke "pick5" (i32.const 5)) (i32.const -7))
(assert_return (invoke "pick5" (i32.const 6)) (i32.const 1144111328))
(assert_return (invoke "pick5" (i32.const 7)) (i32.const -7))
(assert_return (invoke "pick5" (i32.const 8)) (i32.const 436095275))
(assert_return (invoke "pick5" (i32.const 9)) (i32.const -7))
(assert_return (invoke "pick5" (i32.const 10)) (i32.const 1922923469))
(assert_return (invoke "pick5" (i32.const 11)) (i32.const 645908633))
(assert_return (invoke "pick5" (i32.const 12)) (i32.const 991230250))
(assert_return (invoke "pick5" (i32.const 13)) (i32.const 336006799))
(assert_return (invoke "pick5" (i32.const 14)) (i32.const -674090384))
(assert_return (invoke "pick5" (i32.const 15)) (i32.const 432073712))
(assert_return (invoke "pick5" (i32.const 16)) (i32.const 1081030321))
(assert_return (invoke "pick5" (i32.const 17)) (i32.const 1987216784))
(assert_return (invoke "pick5" (i32.const 18)) (i32.const 2057514640))
(assert_return (invoke "pick5" (i32.const 19)) (i32.const 253780518))
(assert_return (invoke "pick5" (i32.const 20)) (i32.const -584087486))
(assert_return (invoke "pick5" (i32.const 21)) (i32.const -1296035276))
(assert_return (invoke "pick5" (i32.const 22)) (i32.const 1021964604))
(assert_return (invoke "pick5" (i32.const 23)) (i32.const 1506875884))
(assert_return (invoke "pick5" (i32.const 24)) (i32.const -7))
(assert_return (invoke "pick5" (i32.const 25)) (i32.const -7))
(assert_return (invoke "map" (i32.const 300)) (i32.const 1434761252))
